using Snapshots.Projects;

namespace Snapshots.Access;

/// <summary>
/// Project members and their roles: a <see cref="Member"/> in the project's partition (read on every check) and
/// a line in the user's membership partition (read when listing the user's projects).
/// </summary>
public sealed class MembershipStore(ProjectStore store)
{
    public Task<Member?> GetAsync(string projectId, string userId, CancellationToken cancellationToken) =>
        store.GetAsync<Member>(projectId, userId, cancellationToken);

    public async Task<IReadOnlyList<Member>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        await store.ListPartitionAsync<Member>(projectId, cancellationToken).ToListAsync(cancellationToken);

    /// <summary>Makes the user a member with <paramref name="role"/>, replacing any role they had.</summary>
    public async Task GrantAsync(Project project, Member member, CancellationToken cancellationToken)
    {
        // The index line first: a member the list cannot show is worse than a listed project that denies access.
        await store.UpsertAsync(ProjectIndexEntry.MembershipPartition(member.Id),
            new ProjectIndexEntry { Id = project.Id, Name = project.Name, CreatedAt = project.CreatedAt }, cancellationToken);
        await store.UpsertAsync(project.Id, member, cancellationToken);
    }

    /// <summary>Makes whoever created <paramref name="project"/> its owner.</summary>
    public Task GrantOwnerAsync(Project project, Caller creator, CancellationToken cancellationToken) =>
        GrantAsync(project, new Member { Id = creator.UserId, Name = creator.Name, Role = ProjectRoles.Owner }, cancellationToken);

    public async Task RevokeAsync(string projectId, string userId, CancellationToken cancellationToken)
    {
        await store.DeleteAsync<Member>(projectId, userId, cancellationToken);
        await store.DeleteAsync<ProjectIndexEntry>(ProjectIndexEntry.MembershipPartition(userId), projectId, cancellationToken);
    }

    public Task<Page<ProjectIndexEntry>> ListProjectsOfAsync(string userId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        store.PagePartitionAsync<ProjectIndexEntry>(ProjectIndexEntry.MembershipPartition(userId), pageSize, continuationToken, cancellationToken);
}
