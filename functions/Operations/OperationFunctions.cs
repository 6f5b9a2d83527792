using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Imports;
using Snapshots.Imports;

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

public sealed class OperationFunctions(RequestAccess access)
{
    [Function(nameof(GetOperation))]
    public async Task<IActionResult> GetOperation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "operations/{instanceId}")] HttpRequest request,
        string instanceId,
        [DurableClient] DurableTaskClient client)
    {
        var caller = await access.AuthenticateAsync(request);

        var notFound = $"No operation with id '{instanceId}'.";
        var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, request.HttpContext.RequestAborted);
        if (instance is null)
        {
            return Problems.NotFound(notFound);
        }

        var import = instance.Name == nameof(ImportFunctions.ImportProjectOrchestrator) ? instance.ReadInputAs<ImportUpload>() : null;
        await access.RequireOperationAsync(caller, import, notFound, request.HttpContext.RequestAborted);

        var output = ParseOrNull(instance.SerializedOutput);
        return new OkObjectResult(new OperationStatus(
            instance.InstanceId,
            instance.Name,
            instance.RuntimeStatus.ToString(),
            instance.CreatedAt,
            instance.LastUpdatedAt,
            ParseOrNull(instance.SerializedCustomStatus),
            output,
            FailureOf(instance, output)));
    }

    /// <summary>Why an operation failed: its failure details, or (where the backend keeps only that) its output text.</summary>
    private static string? FailureOf(OrchestrationMetadata instance, JsonElement? output) =>
        instance.FailureDetails?.ErrorMessage
        ?? (instance.RuntimeStatus == OrchestrationRuntimeStatus.Failed && output is { ValueKind: JsonValueKind.String } text ? text.GetString() : null);

    /// <summary>
    /// An orchestration's status or output as JSON. A failed orchestration's output can be plain failure text (the
    /// durable backend stores it as it is): that comes back as a JSON string instead of failing the whole answer.
    /// </summary>
    private static JsonElement? ParseOrNull(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<JsonElement>(json);
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
