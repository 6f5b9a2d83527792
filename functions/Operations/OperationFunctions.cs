using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Snapshots.Functions.Http;

namespace Snapshots.Functions.Operations;

/// <summary>The state of a long-running operation, read from its orchestration.</summary>
public sealed record OperationStatus(
    string Id,
    string Name,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    JsonElement? Progress,
    JsonElement? Output,
    string? Error);

public sealed class OperationFunctions
{
    [Function(nameof(GetOperation))]
    public async Task<IActionResult> GetOperation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "operations/{instanceId}")] HttpRequest request,
        string instanceId,
        [DurableClient] DurableTaskClient client)
    {
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, request.HttpContext.RequestAborted);
        if (instance is null)
        {
            return Problems.NotFound($"No operation with id '{instanceId}'.");
        }

        return new OkObjectResult(new OperationStatus(
            instance.InstanceId,
            instance.Name,
            instance.RuntimeStatus.ToString(),
            instance.CreatedAt,
            instance.LastUpdatedAt,
            ParseOrNull(instance.SerializedCustomStatus),
            ParseOrNull(instance.SerializedOutput),
            instance.FailureDetails?.ErrorMessage));
    }

    private static JsonElement? ParseOrNull(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<JsonElement>(json);
}
