using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Snapshots.Functions.Operations;

/// <summary>What a started long-running operation answers: 202, its id, and where to poll.</summary>
public sealed record OperationAccepted(string Id, string StatusUri);

public static class OperationResponses
{
    public static string StatusPath(string instanceId) => $"/api/operations/{Uri.EscapeDataString(instanceId)}";

    public static IActionResult Accepted(HttpRequest request, string instanceId, object? body = null)
    {
        var location = $"{request.Scheme}://{request.Host}{StatusPath(instanceId)}";
        return new AcceptedResult(location, body ?? new OperationAccepted(instanceId, location));
    }
}
