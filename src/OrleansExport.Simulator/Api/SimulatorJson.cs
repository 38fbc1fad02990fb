using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansExport.Simulator;

/// <summary>Source-generated serializers: no reflection on the request path.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BulkImportRequest))]
[JsonSerializable(typeof(ContactSyncRequest))]
[JsonSerializable(typeof(ContactListRequest))]
[JsonSerializable(typeof(CreateListRequest))]
[JsonSerializable(typeof(CreateFieldRequest))]
[JsonSerializable(typeof(ApiKeyRequest))]
[JsonSerializable(typeof(TagRequest))]
[JsonSerializable(typeof(ContactTagRequest))]
[JsonSerializable(typeof(ListsPage))]
[JsonSerializable(typeof(FieldsPage))]
[JsonSerializable(typeof(TagsPage))]
[JsonSerializable(typeof(TagEnvelope))]
[JsonSerializable(typeof(ContactTagEnvelope))]
[JsonSerializable(typeof(ApiKeysView))]
[JsonSerializable(typeof(FieldCreated))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(UserEnvelope))]
[JsonSerializable(typeof(ListEnvelope))]
[JsonSerializable(typeof(BulkImportQueued))]
[JsonSerializable(typeof(BulkImportRejected))]
[JsonSerializable(typeof(BulkImportRateLimited))]
[JsonSerializable(typeof(ImportInfoResponse))]
[JsonSerializable(typeof(ContactEnvelope))]
[JsonSerializable(typeof(ErrorsEnvelope))]
[JsonSerializable(typeof(ContactListEnvelope))]
[JsonSerializable(typeof(ListCreated))]
[JsonSerializable(typeof(IReadOnlyList<SimContact>))]
[JsonSerializable(typeof(SimulatorStats))]
[JsonSerializable(typeof(SimulatorFaults))]
[JsonSerializable(typeof(FaultsView))]
internal sealed partial class SimulatorJson : JsonSerializerContext;
