using System.Collections.Frozen;

namespace Snapshots.Access;

/// <summary>The built-in project roles and the permissions each grants.</summary>
public static class ProjectRoles
{
    public const string Owner = "owner";
    public const string Maintainer = "maintainer";
    public const string Reader = "reader";

    private static readonly Permission[] ReaderPermissions =
        [Permission.ReadProject, Permission.ViewSnapshot, Permission.ViewSnapshotRestore];

    private static readonly Permission[] MaintainerPermissions =
        [.. ReaderPermissions, Permission.WriteProject, Permission.AddSnapshot, Permission.ChangeSnapshot,
         Permission.AddSnapshotRestore, Permission.ChangeSnapshotRestore];

    private static readonly FrozenDictionary<string, FrozenSet<Permission>> RolePermissions = new Dictionary<string, FrozenSet<Permission>>
    {
        [Owner] = Enum.GetValues<Permission>().ToFrozenSet(),
        [Maintainer] = MaintainerPermissions.ToFrozenSet(),
        [Reader] = ReaderPermissions.ToFrozenSet(),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> All { get; } = [Owner, Maintainer, Reader];

    public static bool IsKnown(string? role) => role is not null && RolePermissions.ContainsKey(role);

    public static bool Grants(string role, Permission permission) =>
        RolePermissions.TryGetValue(role, out var permissions) && permissions.Contains(permission);
}

/// <summary>
/// Roles that hold across the whole environment, carried in the token's <c>roles</c> claim (Entra ID app roles).
/// </summary>
public static class EnvironmentRoles
{
    /// <summary>Every permission on every project.</summary>
    public const string Admin = "Snapshots.Admin";

    /// <summary>May restore snapshots from outside this environment (by identifier or archive) into a new project.</summary>
    public const string Restorer = "Snapshots.Restorer";
}
