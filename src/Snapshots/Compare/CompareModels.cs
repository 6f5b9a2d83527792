namespace Snapshots.Compare;

/// <summary>The kinds a comparison counts, in the order it reports them.</summary>
public static class CompareKinds
{
    public const string Categories = "categories";
    public const string LabelSets = "labelSets";
    public const string Labels = "labels";
    public const string Documents = "documents";
    public const string AnnotationSets = "annotationSets";
    public const string Annotations = "annotations";
    public const string Ais = "ais";

    public static IReadOnlyList<string> All { get; } = [Categories, LabelSets, Labels, Documents, AnnotationSets, Annotations, Ais];
}

/// <summary>One entity of one side of a comparison: its key (the id, or document/id for a document's items), a name to show, and a hash of its content.</summary>
public sealed record Fingerprint(string Key, string Name, string Hash);

/// <summary>Which names a comparison lists: at most <see cref="Names"/> per list, in ordinal order, after <see cref="After"/>.</summary>
public sealed record NamePage(int Names, string? After)
{
    public const int DefaultNames = 20;
    public const int MaxNames = 1000;
}

/// <summary>What changed in one kind from the first side to the second: exact counts, and a page of names of each.</summary>
public sealed record KindComparison(int Added, int Removed, int Changed, List<string> AddedNames, List<string> RemovedNames, List<string> ChangedNames);

/// <summary>A comparison of a snapshot with another snapshot or with its project as it is now.</summary>
/// <param name="With">The other snapshot's id, or "project".</param>
public sealed record SnapshotComparison(string SnapshotId, string With, Dictionary<string, KindComparison> Kinds)
{
    public bool Identical => Kinds.Values.All(k => k.Added + k.Removed + k.Changed == 0);
}
