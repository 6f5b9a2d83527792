using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Snapshots.Audit;

namespace Snapshots.Functions.Audit;

/// <summary>
/// The audit entry of an HTTP call, the same for both hosts (their middlewares only find the operation, the final
/// status and the route values). It reads the method, the path without its query, the route ids, the connection's
/// address and <c>X-Forwarded-For</c>: never the Authorization or client-principal headers, a query string or a body.
/// </summary>
public static partial class HttpAudit
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>Every call that may change something, and every refusal for want of a token or a permission; not successful reads.</summary>
    public static bool IsRecorded(string method, int status) =>
        status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden
        || !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));

    public static AuditEntry? EntryFor(
        HttpContext http, string operation, int status, IEnumerable<KeyValuePair<string, string?>> routeValues, DateTimeOffset at)
    {
        if (!IsRecorded(http.Request.Method, status))
        {
            return null;
        }

        var audit = AuditContext.Of(http);
        // A 401 caller proved nothing: it may not choose the project log its attempt lands in.
        var unauthenticated = status == StatusCodes.Status401Unauthorized;
        var caller = unauthenticated ? null : audit.Caller;
        var forwardedFor = http.Request.Headers[ForwardedForHeader].ToString();
        return new AuditEntry
        {
            Id = AuditPartitions.EntryId(at, Guid.NewGuid()),
            ProjectId = unauthenticated ? AuditPartitions.EnvironmentScope : audit.ProjectId ?? AuditPartitions.EnvironmentScope,
            At = at,
            UserId = caller?.UserId,
            Roles = caller is null ? [] : [.. caller.EnvironmentRoles.Order(StringComparer.Ordinal)],
            Operation = operation,
            Method = http.Request.Method,
            Path = AuditPartitions.Cut(http.Request.PathBase.Add(http.Request.Path).ToString(), AuditPartitions.MaxPathLength),
            Targets = routeValues
                .Where(v => !string.IsNullOrEmpty(v.Value))
                .ToDictionary(v => v.Key, v => AuditPartitions.Cut(v.Value!), StringComparer.Ordinal),
            Status = status,
            Outcome = AuditEntry.OutcomeOf(status),
            Reason = status == StatusCodes.Status403Forbidden ? audit.RefusalReason : null,
            ClientAddress = http.Connection.RemoteIpAddress?.ToString(),
            ForwardedFor = ForwardedAddresses(forwardedFor),
        };
    }

    /// <summary>
    /// Runs the rest of the pipeline, then records the call with its final status; an exception that escapes even the
    /// error middleware (an answer already under way) is recorded as a 500 and goes on up.
    /// </summary>
    public static async Task AroundAsync(Func<Task> call, Func<int> finalStatus, Action<int> record)
    {
        try
        {
            await call();
        }
        catch
        {
            record(StatusCodes.Status500InternalServerError);
            throw;
        }

        record(finalStatus());
    }

    /// <summary>
    /// Builds the call's entry now and stores it once the answer has been sent, so recording neither delays nor fails
    /// the answer (a Cosmos DB outage would otherwise hold every refusal until the write gave up).
    /// </summary>
    public static void RecordWhenAnswered(
        HttpContext http, AuditRecorder recorder, TimeProvider clock, string operation, int status, IEnumerable<KeyValuePair<string, string?>> routeValues)
    {
        var at = clock.GetUtcNow();
        if (EntryFor(http, operation, status, routeValues, at) is { } entry)
        {
            // The same entry in the log of every other project the call was let at (a merge's target).
            var others = entry.ProjectId == AuditPartitions.EnvironmentScope ? [] : AuditContext.Of(http).ProjectIds.Skip(1)
                .Select(projectId => entry with { Id = AuditPartitions.EntryId(at, Guid.NewGuid()), ProjectId = projectId }).ToList();
            http.Response.OnCompleted(async () =>
            {
                foreach (var recorded in others.Prepend(entry))
                {
                    await recorder.RecordAsync(recorded, CancellationToken.None);
                }
            });
        }
    }

    /// <summary>
    /// The addresses of an <c>X-Forwarded-For</c> header, and nothing else of it: a caller writes what it likes there,
    /// so only items that parse as IP addresses (ports dropped) are kept, at most 10.
    /// </summary>
    public static string? ForwardedAddresses(string header)
    {
        var addresses = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(item => System.Net.IPEndPoint.TryParse(item, out var endPoint) ? endPoint.Address.ToString() : null)
            .OfType<string>()
            .Take(10)
            .ToList();
        return addresses.Count == 0 ? null : string.Join(", ", addresses);
    }

    /// <summary>The parameter names of a route template (<c>projects/{projectId}/snapshots</c>: projectId).</summary>
    public static IReadOnlyList<string> RouteParameters(string? route) =>
        route is null ? [] : [.. RouteParameter().Matches(route).Select(m => m.Groups["name"].Value)];

    [GeneratedRegex(@"\{\*{0,2}(?<name>\w+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
