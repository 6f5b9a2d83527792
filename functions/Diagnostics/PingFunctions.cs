using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Operations;

namespace Snapshots.Functions.Diagnostics;

public sealed record PingRequest(int Activities);

public sealed record PingResult(int Replies, DateTime CompletedAt);

/// <summary>
/// A small real orchestration that proves the whole path HTTP -> orchestration -> activities -> status,
/// and measures the durable backend's fan-out throughput.
/// </summary>
public sealed class PingFunctions(RequestAccess access)
{
    public const int MaxActivities = 1000;

    [Function(nameof(StartPing))]
    public async Task<IActionResult> StartPing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "diagnostics/ping")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        await access.ForAdminAsync(request);

        var activities = 1;
        if (request.Query.TryGetValue("activities", out var raw)
            && (!int.TryParse(raw, out activities) || activities is < 1 or > MaxActivities))
        {
            return Problems.BadRequest($"'activities' must be a whole number from 1 to {MaxActivities}.");
        }

        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(PingOrchestrator), new PingRequest(activities), request.HttpContext.RequestAborted);
        return OperationResponses.Accepted(request, instanceId);
    }

    [Function(nameof(PingOrchestrator))]
    public static async Task<PingResult> PingOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<PingRequest>() ?? new PingRequest(1);
        var replies = await Task.WhenAll(Enumerable.Range(0, input.Activities)
            .Select(sequence => context.CallActivityAsync<string>(nameof(Pong), sequence)));
        return new PingResult(replies.Length, context.CurrentUtcDateTime);
    }

    [Function(nameof(Pong))]
    public static string Pong([ActivityTrigger] int sequence) => $"pong {sequence}";
}
