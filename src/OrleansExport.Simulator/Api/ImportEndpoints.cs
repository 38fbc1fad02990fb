using System.Buffers;
using System.Text.Json;

namespace OrleansExport.Simulator;

/// <summary><c>import/bulk_import</c> and <c>import/info</c>.</summary>
internal sealed class ImportEndpoints(SimulatorState state)
{
    private const string ValidationFailed = "JSON payload did not pass validation. Please check failureReasons for more information.";
    private const string RateLimitExceeded = "Rate limit exceeded.";

    /// <remarks>
    /// Order of checks: size (413), JSON and contact count (400), emails (400, all or nothing), then the import window
    /// (429). The docs do not say whether a refused payload uses up the per-minute import budget; here it does not.
    /// </remarks>
    public async Task BulkImportAsync(HttpContext context)
    {
        var options = state.Options;
        var (request, tooLarge) = await ReadBulkImportAsync(context, options.MaxImportBytes);
        if (tooLarge)
        {
            // The docs state the byte limit, not the answer to exceeding it; 413 is what HTTP has for it.
            await context.WriteMessageAsync(StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {options.MaxImportBytes} bytes.");
            return;
        }

        var contacts = request?.Contacts;
        if (contacts is null || contacts.Count == 0)
        {
            await RejectAsync(context, "The contacts array is missing or empty.", failures: null);
            return;
        }

        if (contacts.Count > options.MaxContactsPerImport)
        {
            await RejectAsync(context, $"At most {options.MaxContactsPerImport} contacts may be imported per request; got {contacts.Count}.", failures: null);
            return;
        }

        if (FindInvalidContacts(contacts) is { } failures)
        {
            await RejectAsync(context, ValidationFailed, failures);
            return;
        }

        var window = contacts.Count == 1 ? state.Windows.SingleContactImports : state.Windows.MultiContactImports;
        if (state.Faults.AnswerImportRateLimit())
        {
            await context.WriteJsonAsync(
                StatusCodes.Status400BadRequest,
                new BulkImportRateLimited(0, RateLimitExceeded, [$"Up to {window.Limit} imports may be requested per minute. Please wait and try again."]),
                SimulatorJson.Default.BulkImportRateLimited);
            return;
        }

        var decision = window.TryAcquire();
        if (!decision.Admitted)
        {
            string kind = contacts.Count == 1 ? "with a single contact" : "with multiple contacts";
            await context.WriteThrottledAsync(decision.RetryAfter, $"Too many bulk imports {kind}: at most {window.Limit} per minute.");
            return;
        }

        // Validation above guarantees no null entries.
        string batchId = state.QueueImport(contacts!);
        state.Stats.ImportAccepted(contacts.Count, request!.ExcludeAutomations, state.Time.GetUtcNow());
        await context.WriteJsonAsync(
            StatusCodes.Status200OK,
            new BulkImportQueued(1, contacts.Count, batchId, "Contact import queued"),
            SimulatorJson.Default.BulkImportQueued);
    }

    public async Task ImportInfoAsync(HttpContext context)
    {
        state.Stats.ImportInfoCall();
        if (state.Faults.Faults.ImportInfoLatency is { Ticks: > 0 } latency)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        if (state.Faults.FailImportInfo())
        {
            await context.WriteMessageAsync(StatusCodes.Status500InternalServerError, "Injected fault: import/info failed.");
            return;
        }

        string? batchId = context.Request.Query["batchId"];
        if (string.IsNullOrEmpty(batchId))
        {
            await context.WriteMessageAsync(StatusCodes.Status400BadRequest, "The batchId query parameter is required.");
            return;
        }

        await (state.GetImportInfo(batchId) is { } info
            ? context.WriteJsonAsync(StatusCodes.Status200OK, info, SimulatorJson.Default.ImportInfoResponse)
            : context.WriteMessageAsync(StatusCodes.Status404NotFound, $"No Result found for import batch with id {batchId}"));
    }

    // Reads at most maxBytes + 1 bytes, so an oversized body is never buffered whole.
    private static async Task<(BulkImportRequest? Request, bool TooLarge)> ReadBulkImportAsync(HttpContext context, int maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            return (null, true);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            int length = await context.Request.Body.ReadAtLeastAsync(buffer.AsMemory(0, maxBytes + 1), maxBytes + 1, throwOnEndOfStream: false, context.RequestAborted);
            if (length > maxBytes)
            {
                return (null, true);
            }

            return (JsonSerializer.Deserialize(buffer.AsSpan(0, length), SimulatorJson.Default.BulkImportRequest), false);
        }
        catch (JsonException)
        {
            return (null, false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // All or nothing: every bad contact is named, so a client can drop them all and resend the rest at once.
    private static List<ContactFailure>? FindInvalidContacts(List<BulkImportContact?> contacts)
    {
        List<ContactFailure>? failures = null;
        for (int i = 0; i < contacts.Count; i++)
        {
            string? problem = contacts[i] is { } contact ? EmailRules.FindProblem(contact.Email) : "Contact is empty.";
            if (problem is not null)
            {
                (failures ??= []).Add(new ContactFailure(i, problem));
            }
        }

        return failures;
    }

    private static Task RejectAsync(HttpContext context, string message, List<ContactFailure>? failures) =>
        context.WriteJsonAsync(StatusCodes.Status400BadRequest, new BulkImportRejected(0, message, failures), SimulatorJson.Default.BulkImportRejected);
}
