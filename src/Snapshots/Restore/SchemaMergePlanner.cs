using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Configuration;
using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>A project's schema: its categories, label sets (with their members) and labels.</summary>
public sealed record ProjectSchema(IReadOnlyList<Category> Categories, IReadOnlyList<LabelSet> LabelSets, IReadOnlyList<Label> Labels)
{
    public static ProjectSchema Empty { get; } = new([], [], []);
}

/// <summary>
/// What a restore does to the schema: the id map, the entities to create (already pointing at target ids), the
/// labels and categories to add to label sets the target already has, and the report.
/// </summary>
public sealed record SchemaPlan(
    SchemaMap Map,
    IReadOnlyList<Category> CreateCategories,
    IReadOnlyList<LabelSet> CreateLabelSets,
    IReadOnlyList<Label> CreateLabels,
    IReadOnlyList<LabelSetExtension> ExtendLabelSets,
    KindReport Categories,
    KindReport LabelSets,
    KindReport Labels);

/// <summary>
/// The merge rules, as a pure function of the archive's schema and the target's (README, "Merging into a project"):
/// <list type="bullet">
/// <item>Categories and label sets match a target entity of the same kind by name; labels match by name within the
/// target label sets their own label sets matched (a label in no label set: a target label in no label set).</item>
/// <item>Names are compared trimmed, NFC-normalised and ignoring case. When several target entities share the
/// name, the one whose name is exactly the same wins, else the first.</item>
/// <item>A match is reused; when its properties (name included) differ it is a conflict, and the target keeps its
/// own. Two archive entities matching one target entity both map to it: a conflict too.</item>
/// <item>Whatever has no match is created, under an id derived from the restore and the archive id.</item>
/// <item>A matched label set gains, through an extension, the labels and categories of the archive that it lacks.</item>
/// </list>
/// </summary>
public static class SchemaMergePlanner
{
    public static SchemaPlan Plan(string restoreId, ProjectSchema archive, ProjectSchema target)
    {
        var map = new SchemaMap([], [], []);
        var targetSetIds = target.LabelSets.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

        var (createCategories, categories) = MatchByName(restoreId, EntityKinds.Category, archive.Categories, target.Categories,
            c => c.Name, map.Categories, (source, id) => source with { Id = id }, DifferencesExceptId);
        var (matchedSets, setsReport) = MatchByName(restoreId, EntityKinds.LabelSet, archive.LabelSets, target.LabelSets,
            s => s.Name, map.LabelSets, (source, id) => source with { Id = id }, LabelSetDifferences);

        var (createLabels, labels) = MatchLabels(restoreId, archive, target, map);

        var createSets = matchedSets.Select(set => set with
        {
            LabelIds = Remap(set.LabelIds, map.Labels),
            CategoryIds = Remap(set.CategoryIds, map.Categories),
        }).ToList();

        var extensions = new List<LabelSetExtension>();
        foreach (var group in archive.LabelSets.Where(s => targetSetIds.Contains(map.LabelSets[s.Id])).GroupBy(s => map.LabelSets[s.Id], StringComparer.Ordinal))
        {
            var existing = target.LabelSets.First(t => t.Id == group.Key);
            var addLabels = group.SelectMany(s => Remap(s.LabelIds, map.Labels)).Distinct(StringComparer.Ordinal).Except(existing.LabelIds, StringComparer.Ordinal).ToList();
            var addCategories = group.SelectMany(s => Remap(s.CategoryIds, map.Categories)).Distinct(StringComparer.Ordinal).Except(existing.CategoryIds, StringComparer.Ordinal).ToList();
            if (addLabels.Count > 0 || addCategories.Count > 0)
            {
                extensions.Add(new LabelSetExtension
                {
                    Id = DeterministicIds.For(restoreId, EntityKinds.LabelSetExtension, group.Key),
                    LabelSetId = group.Key,
                    LabelIds = addLabels,
                    CategoryIds = addCategories,
                });
            }
        }

        return new SchemaPlan(map, createCategories, createSets, createLabels, extensions, categories, setsReport, labels);
    }

    /// <summary>The key names are compared by: trimmed, NFC, case folded.</summary>
    public static string NameKey(string name) => name.Trim().Normalize(NormalizationForm.FormC).ToUpperInvariant();

    private static (List<T> Created, KindReport Report) MatchByName<T>(
        string restoreId, string kind, IReadOnlyList<T> sources, IReadOnlyList<T> targets, Func<T, string> name,
        Dictionary<string, string> map, Func<T, string, T> withId, Func<T, T, List<PropertyDifference>> differences)
        where T : IProjectEntity
    {
        var byKey = targets.GroupBy(t => NameKey(name(t))).ToDictionary(g => g.Key, g => g.ToList());
        var claimedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        var report = new KindReport();
        var created = new List<T>();
        foreach (var source in sources)
        {
            if (byKey.TryGetValue(NameKey(name(source)), out var candidates))
            {
                var match = candidates.FirstOrDefault(c => name(c) == name(source)) ?? candidates[0];
                map[source.Id] = match.Id;
                report = report with { Matched = report.Matched + 1 };
                if (claimedBy.TryGetValue(match.Id, out var earlier))
                {
                    report = WithConflict(report, kind, name(source), $"'{earlier}' of the archive matched the same {kind} '{name(match)}'; both now map to it");
                }
                else if (differences(source, match) is { Count: > 0 } differing)
                {
                    report = WithConflict(report, kind, name(source), $"the target's '{name(match)}' has other properties; the target's were kept", differing);
                }

                claimedBy.TryAdd(match.Id, name(source));
                continue;
            }

            var newId = DeterministicIds.For(restoreId, kind, source.Id);
            map[source.Id] = newId;
            created.Add(withId(source, newId));
            report = report with { Created = report.Created + 1 };
        }

        return (created, report);
    }

    private static (List<Label> Created, KindReport Report) MatchLabels(string restoreId, ProjectSchema archive, ProjectSchema target, SchemaMap map)
    {
        var targetLabels = target.Labels.ToDictionary(l => l.Id, StringComparer.Ordinal);
        var targetSetsById = target.LabelSets.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var inSomeTargetSet = target.LabelSets.SelectMany(s => s.LabelIds).ToHashSet(StringComparer.Ordinal);
        var unsetTargetLabels = target.Labels.Where(l => !inSomeTargetSet.Contains(l.Id)).ToList();
        var claimedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        var report = new KindReport();
        var created = new List<Label>();

        foreach (var label in archive.Labels)
        {
            var sourceSets = archive.LabelSets.Where(s => s.LabelIds.Contains(label.Id, StringComparer.Ordinal)).ToList();
            var candidatePools = sourceSets.Count == 0
                ? [unsetTargetLabels]
                : sourceSets
                    .Select(s => targetSetsById.GetValueOrDefault(map.LabelSets[s.Id]))
                    .OfType<LabelSet>()
                    .Select(t => t.LabelIds.Select(id => targetLabels.GetValueOrDefault(id)).OfType<Label>().ToList())
                    .ToList();
            var key = NameKey(label.Name);
            var matches = candidatePools
                .Select(pool => pool.Where(l => NameKey(l.Name) == key).OrderBy(l => l.Name == label.Name ? 0 : 1).FirstOrDefault())
                .OfType<Label>()
                .DistinctBy(l => l.Id)
                .ToList();
            if (matches.Count == 0)
            {
                var newId = DeterministicIds.For(restoreId, EntityKinds.Label, label.Id);
                map.Labels[label.Id] = newId;
                created.Add(label with { Id = newId });
                report = report with { Created = report.Created + 1 };
                continue;
            }

            var match = matches[0];
            map.Labels[label.Id] = match.Id;
            report = report with { Matched = report.Matched + 1 };
            if (matches.Count > 1)
            {
                report = WithConflict(report, EntityKinds.Label, label.Name,
                    $"its label sets match target label sets with different labels of that name; it maps to the first (id {match.Id})");
            }
            else if (claimedBy.TryGetValue(match.Id, out var earlier))
            {
                report = WithConflict(report, EntityKinds.Label, label.Name, $"'{earlier}' of the archive matched the same label '{match.Name}'; both now map to it");
            }
            else if (DifferencesExceptId(label, match) is { Count: > 0 } differing)
            {
                report = WithConflict(report, EntityKinds.Label, label.Name, $"the target's '{match.Name}' has other properties; the target's were kept", differing);
            }

            claimedBy.TryAdd(match.Id, label.Name);
        }

        return (created, report);
    }

    private static List<string> Remap(IEnumerable<string> ids, Dictionary<string, string> map) =>
        ids.Select(id => map.GetValueOrDefault(id)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    private static KindReport WithConflict(KindReport report, string kind, string name, string reason, List<PropertyDifference>? differences = null) =>
        report with { Conflicts = [.. report.Conflicts, new RestoreConflict(kind, name, reason) { Differences = differences ?? [] }] };

    private static List<PropertyDifference> DifferencesExceptId<T>(T source, T target) => Differences(source, target, "id");

    // Label sets are compared without their ids and member lists, which differ between projects by nature.
    private static List<PropertyDifference> LabelSetDifferences(LabelSet source, LabelSet target) => Differences(source, target, "id", "labelIds", "categoryIds");

    /// <summary>The properties (as stored, by their JSON names) whose values differ, in name order; absent is null.</summary>
    private static List<PropertyDifference> Differences<T>(T source, T target, params string[] ignored)
    {
        var a = JsonSerializer.SerializeToNode(source, SnapshotsJson.Options)!.AsObject();
        var b = JsonSerializer.SerializeToNode(target, SnapshotsJson.Options)!.AsObject();
        return a.Select(p => p.Key).Union(b.Select(p => p.Key)).Except(ignored).Order(StringComparer.Ordinal)
            .Where(property => !JsonNode.DeepEquals(a[property], b[property]))
            .Select(property => new PropertyDifference(property, ElementOf(a[property]), ElementOf(b[property])))
            .ToList();
    }

    /// <summary>Longest value a conflict keeps of each side (reports live on the restore's record).</summary>
    public const int MaxDifferenceChars = 500;

    private static JsonElement? ElementOf(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var json = node.ToJsonString(SnapshotsJson.Options);
        return json.Length <= MaxDifferenceChars
            ? JsonSerializer.SerializeToElement(node, SnapshotsJson.Options)
            : JsonSerializer.SerializeToElement($"{json[..MaxDifferenceChars]}… ({json.Length} characters)", SnapshotsJson.Options);
    }
}
