using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Snapshots.Functions.Orchestration;
using Snapshots.Webhooks;

namespace Snapshots.Functions.Webhooks;

/// <summary>
/// Webhook deliveries: an event raised by an orchestration (or the scheduler) becomes one delivery orchestration
/// per subscribed webhook, which posts it and, while the receiver fails, tries again after a doubling pause.
/// </summary>
public sealed partial class WebhookDeliveryFunctions(WebhookDispatcher dispatcher, WebhookSender sender)
{
    [Function(nameof(RaiseWebhookEvent))]
    public Task RaiseWebhookEvent([ActivityTrigger] WebhookEvent raised, [DurableClient] DurableTaskClient client) =>
        StartDeliveriesAsync(client, dispatcher, raised);

    /// <summary>Starts a delivery orchestration per webhook that hears of the event; its id is the delivery's, so a second raise starts none.</summary>
    public static async Task StartDeliveriesAsync(DurableTaskClient client, WebhookDispatcher dispatcher, WebhookEvent raised)
    {
        foreach (var delivery in await dispatcher.PlanAsync(raised, CancellationToken.None))
        {
            if (await client.GetInstanceAsync(delivery.DeliveryId) is null)
            {
                await client.ScheduleNewOrchestrationInstanceAsync(
                    nameof(DeliverWebhookOrchestrator), delivery, new StartOrchestrationOptions(delivery.DeliveryId));
            }
        }
    }

    [Function(nameof(DeliverWebhookOrchestrator))]
    public static async Task<bool> DeliverWebhookOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var delivery = context.GetInput<WebhookDelivery>() ?? throw new InvalidOperationException("The delivery has no input.");
        for (var attempt = 1; ; attempt++)
        {
            var result = await context.CallActivityAsync<DeliveryResult>(nameof(SendWebhook), new SendWebhookRequest(delivery, attempt), ActivityRetry.Options);
            if (result.Delivered || result.Final)
            {
                return result.Delivered;
            }

            await context.CreateTimer(context.CurrentUtcDateTime + delivery.DelayAfter(attempt), CancellationToken.None);
        }
    }

    [Function(nameof(SendWebhook))]
    public Task<DeliveryResult> SendWebhook([ActivityTrigger] SendWebhookRequest request) => sender.SendAsync(request, CancellationToken.None);

    /// <summary>
    /// Raises an event from an orchestration. Its id is the orchestration's next deterministic guid, so a replay
    /// raises the same event; a failure to raise is logged and never fails the operation it reports on.
    /// </summary>
    public static async Task NotifyAsync(TaskOrchestrationContext context, string type, string projectId, string subjectId)
    {
        var raised = new WebhookEvent(context.NewGuid().ToString("N"), type, projectId, subjectId, context.CurrentUtcDateTime);
        try
        {
            await context.CallActivityAsync(nameof(RaiseWebhookEvent), raised, ActivityRetry.Options);
        }
        catch (TaskFailedException failure)
        {
            LogNotRaised(context.CreateReplaySafeLogger<WebhookDeliveryFunctions>(), type, subjectId, failure.FailureDetails.ErrorMessage);
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "The {Event} webhooks of {SubjectId} were not raised: {Error}")]
    private static partial void LogNotRaised(ILogger logger, string @event, string subjectId, string error);
}
