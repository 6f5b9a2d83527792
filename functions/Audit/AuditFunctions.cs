using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Snapshots.Access;
using Snapshots.Audit;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Functions.Projects;
using Snapshots.Naming;

namespace Snapshots.Functions.Audit;

/// <summary>The audit log, newest first: a project's (its owners) and the environment's (admins); and its daily pruning.</summary>
public sealed partial class AuditFunctions(AuditLog log, RequestAccess access, ILogger<AuditFunctions> logger)
{
    /// <summary>Daily at 03:30 UTC, away from the minute ticks' busy start of the hour.</summary>
    public const string PruneSchedule = "0 30 3 * * *";

    [Function(nameof(GetProjectAuditLog))]
    public async Task<IActionResult> GetProjectAuditLog(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/audit")] HttpRequest request,
        string projectId)
    {
        await access.ForExistingProjectAsync(request, projectId, Permission.ViewAudit);
        return await PageAsync(request, projectId);
    }

    /// <summary>The environment's log (calls that name no project, every 401); <c>?projectId=</c> reads a project's.</summary>
    [Function(nameof(GetAuditLog))]
    public async Task<IActionResult> GetAuditLog(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "audit")] HttpRequest request)
    {
        await access.ForAdminAsync(request);

        string? projectId = request.Query["projectId"];
        if (projectId is not null && NamePolicy.IdProblem(projectId) is { } problem)
        {
            return Problems.BadRequest("'projectId': " + problem);
        }

        return await PageAsync(request, projectId ?? AuditPartitions.EnvironmentScope);
    }

    [Function(nameof(PruneAuditLog))]
    public async Task<int> PruneAuditLog([TimerTrigger(PruneSchedule)] TimerInfo timer)
    {
        _ = timer;
        var pruned = await log.PruneAsync(CancellationToken.None);
        if (pruned > 0)
        {
            LogPruned(logger, pruned);
        }

        return pruned;
    }

    private async Task<IActionResult> PageAsync(HttpRequest request, string scope)
    {
        if (!RequestBodies.TryReadPageSize(request, out var pageSize))
        {
            return Problems.BadRequest("'pageSize' must be a whole number from 1 to 1000.");
        }

        if (!AuditPageToken.TryDecode(request.Query["continuationToken"], out var from))
        {
            return Problems.BadRequest("'continuationToken' is not one this log handed out; start again without it.");
        }

        var page = await log.PageAsync(scope, pageSize, from, request.HttpContext.RequestAborted);
        return new OkObjectResult(new PageView<AuditEntryView>([.. page.Items.Select(AuditEntryView.From)], page.ContinuationToken));
    }

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Pruned {Days} days of audit log past their retention")]
    private static partial void LogPruned(ILogger logger, int days);
}

/// <summary>An audit entry as the API shows it: its scope is <c>scope</c> (a project id or <c>_environment</c>).</summary>
public sealed record AuditEntryView(
    string Id,
    string Scope,
    DateTimeOffset At,
    string? UserId,
    IReadOnlyList<string> Roles,
    string Operation,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Targets,
    int Status,
    AuditOutcome Outcome,
    string? Reason,
    string? ClientAddress,
    string? ForwardedFor)
{
    public static AuditEntryView From(AuditEntry entry) => new(
        entry.Id, entry.ProjectId, entry.At, entry.UserId, entry.Roles, entry.Operation, entry.Method, entry.Path, entry.Targets,
        entry.Status, entry.Outcome, entry.Reason, entry.ClientAddress, entry.ForwardedFor);
}
