using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansExport.Simulator;

/// <summary>Source-generated serializers: no reflection on the request path.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BulkImportRequest))]
[JsonSerializable(typeof(ContactSyncRequest))]
[JsonSerializable(typeof(ContactListRequest))]
[JsonSerializable(typeof(CreateListRequest))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(UserEnvelope))]
[JsonSerializable(typeof(ListEnvelope))]
[JsonSerializable(typeof(BulkImportQueued))]
[JsonSerializable(typeof(BulkImportRejected))]
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
