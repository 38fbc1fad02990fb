using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace OrleansExport.Silo.AzureStorage;

/// <summary>
/// Keeps the Data Protection key ring in one blob, so that every silo encrypts and decrypts the stored
/// ActiveCampaign API keys with the same keys. Writes are conditional on the blob's ETag: two silos adding
/// a key at once both keep theirs.
/// </summary>
public sealed class BlobXmlRepository(BlobContainerClient container) : IXmlRepository
{
    public const string ContainerName = "dataprotection";
    public const string KeyRingBlobName = "keys.xml";
    private const string RootName = "repository";
    private const int MaxConflictRetries = 10;

    private readonly BlobClient _blob = container.GetBlobClient(KeyRingBlobName);
    private bool _containerReady;

    public IReadOnlyCollection<XElement> GetAllElements() => Load().Document.Root!.Elements().ToList();

    public void StoreElement(XElement element, string friendlyName)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (document, etag) = Load();
            document.Root!.Add(element);
            var conditions = etag is { } match ? new BlobRequestConditions { IfMatch = match } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                using var content = new MemoryStream();
                document.Save(content, SaveOptions.DisableFormatting);
                content.Position = 0;
                _blob.Upload(content, new BlobUploadOptions { Conditions = conditions });
                return;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < MaxConflictRetries)
            {
                // Another silo changed the key ring since we read it: read again and add ours to theirs.
            }
        }
    }

    private (XDocument Document, ETag? ETag) Load()
    {
        EnsureContainer();
        try
        {
            var download = _blob.DownloadContent();
            return (XDocument.Load(download.Value.Content.ToStream()), download.Value.Details.ETag);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return (new XDocument(new XElement(RootName)), null);
        }
    }

    private void EnsureContainer()
    {
        if (!_containerReady)
        {
            container.CreateIfNotExists();
            _containerReady = true;
        }
    }
}
