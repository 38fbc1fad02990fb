using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace OrleansExport.ActiveCampaign;

/// <summary>One bulk import request: its contacts and the exact size of its serialized body.</summary>
public sealed record ImportBatch(IReadOnlyList<BulkContact> Contacts, int SizeInBytes);

/// <summary>A contact that can never be sent by bulk import, and why.</summary>
public sealed record UnsendableContact(BulkContact Contact, string Reason);

/// <summary>The batches to send, in input order, and the contacts left out.</summary>
public sealed record PackResult(IReadOnlyList<ImportBatch> Batches, IReadOnlyList<UnsendableContact> Unsendable);

/// <summary>
/// Splits contacts into bulk imports that are as full as the limits allow: every request below
/// the contact limit wastes part of the account's imports-per-minute budget. Each contact is
/// serialized once to learn its size; a batch's size is then the envelope plus its contacts
/// plus the commas between them, which is exactly what <see cref="BulkImportSerializer"/> writes.
/// </summary>
public sealed class ImportPacker
{
    private readonly int maxContactsPerImport;
    private readonly int maxImportBytes;

    public ImportPacker(int maxContactsPerImport, int maxImportBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxContactsPerImport, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxImportBytes, BulkImportSerializer.EnvelopeBytes);
        this.maxContactsPerImport = maxContactsPerImport;
        this.maxImportBytes = maxImportBytes;
    }

    public ImportPacker(ActiveCampaignLimits limits)
        : this(limits.MaxContactsPerImport, limits.MaxImportBytes)
    {
    }

    /// <summary>Packs <paramref name="contacts"/> greedily in order. Thread-safe.</summary>
    public PackResult Pack(IEnumerable<BulkContact> contacts)
    {
        var sizer = new ContactSizer();
        var batches = new List<ImportBatch>();
        var unsendable = new List<UnsendableContact>();
        var current = new List<BulkContact>(maxContactsPerImport);
        var currentBytes = BulkImportSerializer.EnvelopeBytes;

        foreach (var contact in contacts)
        {
            var contactBytes = sizer.Measure(contact);
            if (BulkImportSerializer.EnvelopeBytes + contactBytes > maxImportBytes)
            {
                unsendable.Add(new(contact, string.Create(CultureInfo.InvariantCulture,
                    $"The contact alone needs {BulkImportSerializer.EnvelopeBytes + contactBytes:N0} bytes, over the {maxImportBytes:N0}-byte bulk import limit.")));
                continue;
            }

            var addedBytes = current.Count == 0 ? contactBytes : contactBytes + 1; // the comma before it
            if (current.Count == maxContactsPerImport || currentBytes + addedBytes > maxImportBytes)
            {
                batches.Add(new ImportBatch(current, currentBytes));
                current = new List<BulkContact>(maxContactsPerImport);
                currentBytes = BulkImportSerializer.EnvelopeBytes;
                addedBytes = contactBytes;
            }

            current.Add(contact);
            currentBytes += addedBytes;
        }

        if (current.Count > 0)
        {
            batches.Add(new ImportBatch(current, currentBytes));
        }

        return new PackResult(batches, unsendable);
    }

    /// <summary>Serializes single contacts into one reused buffer, keeping only the length.</summary>
    private sealed class ContactSizer
    {
        private readonly ArrayBufferWriter<byte> buffer = new(4096);
        private readonly Utf8JsonWriter writer;

        public ContactSizer() => writer = new Utf8JsonWriter(buffer, BulkImportSerializer.WriterOptions);

        public int Measure(BulkContact contact)
        {
            buffer.ResetWrittenCount();
            writer.Reset();
            BulkImportSerializer.WriteContact(writer, contact);
            writer.Flush();
            return buffer.WrittenCount;
        }
    }
}
