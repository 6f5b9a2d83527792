using System.Text.Json;
using System.Text.Json.Serialization;

namespace Snapshots.Projects;

/// <summary>A short exclusive right to change one aspect of a project (e.g. its member list); it ends by itself at <see cref="ExpiresAt"/>.</summary>
public sealed record ProjectLease : IProjectEntity
{
    public required string Id { get; init; }

    public required string Holder { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>
/// Mutual exclusion for changes that span several items of a project (Cosmos has no multi-item transactions across
/// our item layout): a lease item in the project's partition, created if absent, taken over with its ETag once
/// expired, deleted with its ETag by its holder. A holder that dies leaves it to expire.
/// </summary>
public sealed class ProjectLeases(ProjectStore store, TimeProvider clock)
{
    // Long enough for the largest member list (1000 members, a few thousand writes, with throttling) to be written.
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(5);

    /// <summary>The holder token, or null when someone else holds an unexpired lease.</summary>
    public async Task<string?> TryAcquireAsync(string projectId, string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        var lease = new ProjectLease { Id = name, Holder = Guid.NewGuid().ToString("N"), ExpiresAt = clock.GetUtcNow() + duration };
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await store.TryCreateAsync(projectId, lease, cancellationToken))
            {
                return lease.Holder;
            }

            if (await store.ReadWithETagAsync<ProjectLease>(projectId, name, cancellationToken) is not var (current, etag))
            {
                continue;
            }

            return current.ExpiresAt <= clock.GetUtcNow() && await store.TryReplaceAsync(projectId, lease, etag, cancellationToken) ? lease.Holder : null;
        }

        return null;
    }

    /// <summary>Ends the lease if <paramref name="holder"/> still holds it (an expired one taken over stays with its new holder).</summary>
    public async Task ReleaseAsync(string projectId, string name, string holder, CancellationToken cancellationToken)
    {
        if (await store.ReadWithETagAsync<ProjectLease>(projectId, name, cancellationToken) is var (current, etag) && current.Holder == holder)
        {
            await store.TryDeleteAsync<ProjectLease>(projectId, name, etag, cancellationToken);
        }
    }
}
