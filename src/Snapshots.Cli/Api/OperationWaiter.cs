using System.Text.Json.Nodes;

namespace Snapshots.Cli.Api;

/// <summary>Where a long-running operation stands, read from an operation or a restore status body.</summary>
public sealed record OperationState(string Status, bool Finished, bool Succeeded, string Stage, long Done, long Total, JsonObject Body)
{
    /// <summary>Operations say Running/Completed/Failed/Terminated; restores say queuing/inProgress/restored/contactSupport/cancelled.</summary>
    public static OperationState From(JsonObject body)
    {
        var status = Text(body["status"]) ?? "";
        var succeeded = status is "Completed" or "restored";
        var finished = succeeded || status is "Failed" or "Terminated" or "Canceled" or "contactSupport" or "cancelled";
        var progress = body["progress"] as JsonObject;
        var stage = Text(progress?["stage"]) ?? Text(body["statusText"]) ?? status;
        var (done, total) = progress?["documents"] is JsonObject documents
            ? (Number(documents["done"]), Number(documents["total"]))
            : (Number(progress?["documentsDone"]), Number(progress?["documentsTotal"]));
        return new OperationState(status, finished, succeeded, stage, done, total, body);
    }

    public string Error => Text(Body["error"]) ?? Text(Body["statusText"]) ?? $"the operation ended with status {Status}";

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static long Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : 0;
}

/// <summary>Polls a status URI until the operation finishes.</summary>
public sealed class OperationWaiter(SnapshotsApiClient api, TimeSpan interval)
{
    /// <param name="expected">The end that counts as success, when it is not the operation's own (a cancel waits for "cancelled").</param>
    public async Task<OperationState> WaitAsync(string statusUri, IProgress<OperationState> progress, CancellationToken cancellationToken, string? expected = null)
    {
        var target = Relative(statusUri);
        while (true)
        {
            var state = OperationState.From(await api.GetAsync(target, cancellationToken));
            progress.Report(state);
            if (state.Finished)
            {
                return (expected is null ? state.Succeeded : state.Status == expected) ? state : throw new OperationFailedException(state.Error);
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>
    /// Absolute http(s) URIs are used as given; a rooted path ("/api/restores/..") is made relative so that it
    /// resolves under the base address, path prefix included.
    /// </summary>
    private static string Relative(string statusUri) =>
        Uri.TryCreate(statusUri, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps)
            ? statusUri
            : statusUri.TrimStart('/');
}
