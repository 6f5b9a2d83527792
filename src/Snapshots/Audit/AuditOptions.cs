using System.ComponentModel.DataAnnotations;

namespace Snapshots.Audit;

/// <summary>How long the audit log keeps its entries, bound from <c>Snapshots:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Snapshots:Audit";

    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;
}
