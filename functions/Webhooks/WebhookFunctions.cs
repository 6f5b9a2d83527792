using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Projects;
using Snapshots.Webhooks;

namespace Snapshots.Functions.Webhooks;

public sealed record WebhooksBody(IReadOnlyList<WebhookSetting>? Webhooks);

public sealed record WebhooksView(IReadOnlyList<WebhookView> Webhooks, IReadOnlyList<string> Events);

/// <summary>A project's webhooks and their delivery logs; all of it needs the 'change project' permission.</summary>
public sealed class WebhookFunctions(WebhookService webhooks, DeliveryLog log, RequestAccess access)
{
    [Function(nameof(GetWebhooks))]
    public async Task<IActionResult> GetWebhooks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/webhooks")] HttpRequest request,
        string projectId)
    {
        await access.ForExistingProjectAsync(request, projectId, Permission.WriteProject);
        return new OkObjectResult(new WebhooksView(await webhooks.GetAsync(projectId, request.HttpContext.RequestAborted), WebhookEvents.All));
    }

    [Function(nameof(SetWebhooks))]
    public async Task<IActionResult> SetWebhooks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "projects/{projectId}/webhooks")] HttpRequest request,
        string projectId)
    {
        await access.ForExistingProjectAsync(request, projectId, Permission.WriteProject);
        var (body, error) = await RequestBodies.ReadJsonAsync<WebhooksBody>(request);
        if (body is null)
        {
            return Problems.BadRequest(error + " Send {\"webhooks\": [{\"url\": \"https://...\", \"events\": [\"snapshot.failed\"]}]}.");
        }

        return new OkObjectResult(new WebhooksView(await webhooks.SetAsync(projectId, body.Webhooks, request.HttpContext.RequestAborted), WebhookEvents.All));
    }

    [Function(nameof(ListWebhookDeliveries))]
    public async Task<IActionResult> ListWebhookDeliveries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/webhooks/{webhookId}/deliveries")] HttpRequest request,
        string projectId,
        string webhookId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        await access.ForExistingProjectAsync(request, projectId, Permission.WriteProject);
        if (await webhooks.FindAsync(projectId, webhookId, cancellationToken) is null)
        {
            return Problems.NotFound($"Project '{projectId}' has no webhook '{webhookId}'.");
        }

        if (!RequestBodies.TryReadPageSize(request, out var pageSize))
        {
            return Problems.BadRequest("'pageSize' must be a whole number from 1 to 1000.");
        }

        var page = await log.ListAsync(webhookId, pageSize, request.Query["continuationToken"], cancellationToken);
        return new OkObjectResult(new PageView<DeliveryAttempt>(page.Items, page.ContinuationToken));
    }
}
