namespace Snapshots.Projects;

/// <summary>The stored kind of each entity type.</summary>
public static class EntityKindOf<T>
    where T : IProjectEntity
{
    public static string Name { get; } = typeof(T).Name switch
    {
        nameof(Project) => EntityKinds.Project,
        nameof(Category) => EntityKinds.Category,
        nameof(Label) => EntityKinds.Label,
        nameof(LabelSet) => EntityKinds.LabelSet,
        nameof(Document) => EntityKinds.Document,
        nameof(AiModel) => EntityKinds.Ai,
        nameof(Member) => EntityKinds.Member,
        nameof(LabelSetExtension) => EntityKinds.LabelSetExtension,
        nameof(AnnotationSet) => EntityKinds.AnnotationSet,
        nameof(Annotation) => EntityKinds.Annotation,
        nameof(ProjectIndexEntry) => EntityKinds.ProjectIndexEntry,
        nameof(Records.SnapshotRecord) => EntityKinds.Snapshot,
        nameof(Records.SnapshotIndexEntry) => EntityKinds.SnapshotIndexEntry,
        nameof(Restore.RestoreRecord) => EntityKinds.Restore,
        nameof(Restore.RestoreIndexEntry) => "restoreIndexEntry",
        nameof(Restore.SnapshotRestoreEntry) => "snapshotRestoreEntry",
        nameof(Backups.BackupPolicy) => "backupPolicy",
        nameof(Backups.BackupPolicyIndexEntry) => "backupPolicyIndexEntry",
        nameof(Operations.PendingOperation) => "pendingOperation",
        nameof(ProjectLease) => "lease",
        nameof(Webhooks.ProjectWebhooks) => "webhooks",
        nameof(Webhooks.StoredWebhookSecret) => "webhookSecret",
        nameof(Webhooks.DeliveryAttempt) => "webhookDelivery",
        nameof(Audit.AuditEntry) => "auditEntry",
        nameof(Audit.AuditDay) => "auditDay",
        nameof(Audit.AuditScope) => "auditScope",
        _ => throw new NotSupportedException($"{typeof(T).Name} is not a stored entity."),
    };
}
