namespace Snapshots.Health;

/// <summary>Reachability of one dependency.</summary>
public sealed record DependencyHealth(string Name, bool Reachable, long ElapsedMilliseconds, string? Error);

/// <summary>What <c>GET /api/health</c> answers.</summary>
public sealed record HealthReport(string Status, string Environment, IReadOnlyList<DependencyHealth> Dependencies)
{
    public bool Healthy => Dependencies.All(d => d.Reachable);
}
