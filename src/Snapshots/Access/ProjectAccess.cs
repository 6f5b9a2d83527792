using Snapshots.Projects;

namespace Snapshots.Access;

public enum AccessDecision
{
    Allowed,

    /// <summary>A member without the permission: 403.</summary>
    Forbidden,

    /// <summary>Not a member at all: the project does not exist for this caller (404, no existence leak).</summary>
    Hidden,
}

/// <summary>Decides what a caller may do on a project from its token roles and its stored membership.</summary>
public sealed class ProjectAccess(MembershipStore members)
{
    /// <summary>Allowed only when the caller holds every one of <paramref name="permissions"/>; the first one missing is reported.</summary>
    public async Task<(AccessDecision Decision, Permission? Missing, string? Role)> DecideAsync(
        Caller caller, string projectId, CancellationToken cancellationToken, params Permission[] permissions)
    {
        var role = await RoleOfAsync(caller, projectId, cancellationToken);
        if (role is null)
        {
            return (AccessDecision.Hidden, null, null);
        }

        foreach (var permission in permissions)
        {
            if (!ProjectRoles.Grants(role, permission))
            {
                return (AccessDecision.Forbidden, permission, role);
            }
        }

        return (AccessDecision.Allowed, null, role);
    }

    /// <summary>The caller's role on the project: owner for admins, else granted by its token, else by stored membership; null when none.</summary>
    public async Task<string?> RoleOfAsync(Caller caller, string projectId, CancellationToken cancellationToken) =>
        caller.IsAdmin ? ProjectRoles.Owner
        : caller.ProjectRoles.TryGetValue(projectId, out var tokenRole) ? tokenRole
        : (await members.GetAsync(projectId, caller.UserId, cancellationToken))?.Role;
}
