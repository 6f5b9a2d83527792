using System.Text.Json;
using Snapshots.Projects;

namespace Snapshots.Audit;

/// <summary>How a recorded call ended: 2xx/3xx succeeded, 401/403 refused, anything else failed.</summary>
public enum AuditOutcome
{
    Succeeded,
    Refused,
    Failed,
}

/// <summary>
/// One recorded call: who, what, when, how it ended and from where. Never holds a token, a header other than the
/// forwarded-for addresses, a query string or a body.
/// </summary>
public sealed record AuditEntry : IProjectEntity
{
    /// <summary>Sorts newest first within its day (see <see cref="AuditPartitions.EntryId"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The scope the entry belongs to: a project id, or <see cref="AuditPartitions.EnvironmentScope"/>.</summary>
    public required string ProjectId { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The authenticated caller; null when the call was refused for want of a valid token (401).</summary>
    public string? UserId { get; init; }

    /// <summary>The app roles the caller's token carries.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The function's name, e.g. <c>CreateSnapshot</c>.</summary>
    public required string Operation { get; init; }

    public required string Method { get; init; }

    /// <summary>The route path, without its query string.</summary>
    public required string Path { get; init; }

    /// <summary>The route's ids (projectId, snapshotId, restoreId, ...), each at most <see cref="AuditPartitions.MaxValueLength"/> characters.</summary>
    public IReadOnlyDictionary<string, string> Targets { get; init; } = new Dictionary<string, string>();

    public required int Status { get; init; }

    public required AuditOutcome Outcome { get; init; }

    /// <summary>Why a 403 was refused (the problem's detail); never set for a 401.</summary>
    public string? Reason { get; init; }

    public string? ClientAddress { get; init; }

    /// <summary>The <c>X-Forwarded-For</c> header as it came, at most <see cref="AuditPartitions.MaxValueLength"/> characters.</summary>
    public string? ForwardedFor { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }

    public static AuditOutcome OutcomeOf(int status) => status switch
    {
        >= 200 and < 400 => AuditOutcome.Succeeded,
        401 or 403 => AuditOutcome.Refused,
        _ => AuditOutcome.Failed,
    };
}

/// <summary>A day of a scope that has entries: one small item per day, what paging and pruning walk.</summary>
public sealed record AuditDay : IProjectEntity
{
    /// <summary>The UTC day, <c>yyyyMMdd</c>.</summary>
    public required string Id { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>A scope that has entries (a project id or the environment): what pruning walks.</summary>
public sealed record AuditScope : IProjectEntity
{
    public required string Id { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}
