using System.Text.Json.Nodes;
using Snapshots.Projects;

namespace Snapshots.Imports;

/// <summary>
/// The schema of a Konfuzio export, whichever layout it came in: labels, label sets (with their labels and
/// categories) and categories. Read whole: its files are bounded by <see cref="ImportOptions.MaxJsonFileBytes"/>.
/// </summary>
internal sealed record KonfuzioSchema(IReadOnlyList<Label> Labels, IReadOnlyList<LabelSet> LabelSets, IReadOnlyList<Category> Categories)
{
    public static KonfuzioSchema Read(KonfuzioExport export) =>
        export.Layout == KonfuzioLayout.Legacy ? ReadLegacy(export) : ReadCurrent(export);

    /// <summary>
    /// labels.json5 and label_sets.json5. A category is a label set marked <c>is_default</c>; a label set names the
    /// categories it belongs to in <c>default_section_labels</c>, and a category names the label sets it uses in its
    /// own <c>default_section_labels</c>. The SDK reads only the first direction; both are taken here (their union),
    /// so a link given on either side is kept.
    /// </summary>
    private static KonfuzioSchema ReadLegacy(KonfuzioExport export)
    {
        var labels = Json5.ParseArray(export.Open(KonfuzioExport.Labels), KonfuzioExport.Labels)
            .Select(node => KonfuzioMapper.ToLabel(ImportPlanner.AsObject(node, KonfuzioExport.Labels), KonfuzioExport.Labels))
            .ToList();
        var usedBy = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var labelSets = new List<LabelSet>();
        foreach (var node in Json5.ParseArray(export.Open(KonfuzioExport.LabelSets), KonfuzioExport.LabelSets))
        {
            var source = ImportPlanner.AsObject(node, KonfuzioExport.LabelSets);
            var set = KonfuzioMapper.ToLabelSet(source, KonfuzioExport.LabelSets);
            if (set.IsDefault)
            {
                foreach (var used in source.PeekIdList("default_section_labels"))
                {
                    (usedBy.TryGetValue(used, out var categories) ? categories : usedBy[used] = []).Add(set.Id);
                }
            }

            labelSets.Add(set);
        }

        labelSets = labelSets
            .Select(set => !set.IsDefault && usedBy.TryGetValue(set.Id, out var categories)
                ? set with { CategoryIds = [.. set.CategoryIds.Union(categories, StringComparer.Ordinal)] }
                : set)
            .ToList();
        return new KonfuzioSchema(labels, labelSets, labelSets.Where(s => s.IsDefault).Select(KonfuzioMapper.ToCategory).ToList());
    }

    /// <summary>
    /// categories_and_label_data.json5: categories, each with its label sets (<c>schema</c>) and their labels. A label
    /// set or label listed under several categories is one entity, linked to each; a category without a label set of
    /// its own id gets an empty default one, as the SDK's loader makes it.
    /// </summary>
    private static KonfuzioSchema ReadCurrent(KonfuzioExport export)
    {
        const string file = KonfuzioExport.CategoriesAndLabels;
        var labels = new Dictionary<string, Label>(StringComparer.Ordinal);
        var labelSets = new Dictionary<string, LabelSet>(StringComparer.Ordinal);
        var categories = new List<Category>();
        foreach (var node in Json5.ParseArray(export.Open(file), file))
        {
            var source = ImportPlanner.AsObject(node, file);
            var schema = source["schema"] as JsonArray ?? throw new ImportValidationException(file, $"category {source["id"]?.ToJsonString()} has no 'schema' list.");
            source.Remove("schema");
            var category = KonfuzioMapper.ToCurrentCategory(source, file);
            foreach (var setNode in schema)
            {
                var setSource = ImportPlanner.AsObject(setNode, file);
                var labelIds = new List<string>();
                if (setSource["labels"] is JsonArray labelNodes)
                {
                    setSource.Remove("labels");
                    foreach (var labelNode in labelNodes)
                    {
                        var label = KonfuzioMapper.ToCurrentLabel(ImportPlanner.AsObject(labelNode, file), file);
                        labels.TryAdd(label.Id, label);
                        labelIds.Add(label.Id);
                    }
                }

                var set = KonfuzioMapper.ToCurrentLabelSet(setSource, category.Id, labelIds, file);
                labelSets[set.Id] = labelSets.TryGetValue(set.Id, out var seen)
                    ? seen with { CategoryIds = [.. seen.CategoryIds.Union(set.CategoryIds, StringComparer.Ordinal)] }
                    : set;
            }

            if (!labelSets.ContainsKey(category.Id))
            {
                labelSets[category.Id] = new LabelSet { Id = category.Id, Name = category.Name, IsDefault = true, CategoryIds = [category.Id] };
            }

            categories.Add(category);
        }

        return new KonfuzioSchema([.. labels.Values], [.. labelSets.Values], categories);
    }
}
