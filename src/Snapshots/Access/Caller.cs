namespace Snapshots.Access;

/// <summary>An authenticated caller: who it is and the roles its token carries.</summary>
/// <param name="UserId">Stable user id: the token's <c>oid</c> (Entra ID) or <c>sub</c>.</param>
/// <param name="ProjectRoles">Project roles granted by the token itself (<c>snapshots_project_roles</c>: <c>projectId:role</c>), on top of stored membership.</param>
public sealed record Caller(string UserId, string? Name, IReadOnlySet<string> EnvironmentRoles, IReadOnlyDictionary<string, string> ProjectRoles)
{
    public bool IsAdmin => EnvironmentRoles.Contains(Access.EnvironmentRoles.Admin);

    public bool CanRestoreFromOutside => IsAdmin || EnvironmentRoles.Contains(Access.EnvironmentRoles.Restorer);
}
