using System.Text.Json;

namespace Snapshots.Projects;

/// <summary>
/// One line of the project list, kept in its own partition so listing projects is a single-partition query.
/// </summary>
public sealed record ProjectIndexEntry : IProjectEntity
{
    public const string Partition = "_index";

    /// <summary>The projects one user is a member of, so a member's project list is a single-partition query too.</summary>
    public static string MembershipPartition(string userId) => $"_memberOf:{userId}";

    public required string Id { get; init; }

    public required string Name { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}
