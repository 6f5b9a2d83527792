namespace Snapshots.Access;

/// <summary>What a caller may do on a project. The snapshot permissions carry Konfuzio's names (see <see cref="Permissions.NameOf"/>).</summary>
public enum Permission
{
    ReadProject,
    WriteProject,
    ManageMembers,
    ViewSnapshot,
    AddSnapshot,
    ChangeSnapshot,
    DeleteSnapshot,
    ViewSnapshotRestore,
    AddSnapshotRestore,
    ChangeSnapshotRestore,
    DeleteSnapshotRestore,
    ViewAudit,
}

public static class Permissions
{
    public static string NameOf(Permission permission) => permission switch
    {
        Permission.ReadProject => "read project",
        Permission.WriteProject => "change project",
        Permission.ManageMembers => "change member",
        Permission.ViewSnapshot => "view snapshot",
        Permission.AddSnapshot => "add snapshot",
        Permission.ChangeSnapshot => "change snapshot",
        Permission.DeleteSnapshot => "delete snapshot",
        Permission.ViewSnapshotRestore => "view snapshotrestore",
        Permission.AddSnapshotRestore => "add snapshotrestore",
        Permission.ChangeSnapshotRestore => "change snapshotrestore",
        Permission.DeleteSnapshotRestore => "delete snapshotrestore",
        Permission.ViewAudit => "view audit",
        _ => throw new ArgumentOutOfRangeException(nameof(permission)),
    };
}
