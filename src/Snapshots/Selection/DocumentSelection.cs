using Snapshots.Errors;
using Snapshots.Projects;
using Snapshots.Restore;

namespace Snapshots.Selection;

/// <summary>
/// The part of a project a snapshot takes, or the part of a snapshot a restore restores, as a request names it:
/// categories (by id or name), dataset statuses and document ids. A document is selected when it meets every
/// criterion given (any of each list); a criterion not given selects everything.
/// </summary>
public sealed record DocumentSelection(List<string>? Categories = null, List<DatasetStatus>? DatasetStatus = null, List<string>? DocumentIds = null)
{
    /// <summary>Most entries of one list: a selection travels in orchestration inputs and records.</summary>
    public const int MaxEntries = 1000;

    /// <summary>Longest entry (a category name or an id).</summary>
    public const int MaxEntryLength = 200;

    /// <summary>True when the request selected nothing in particular: the whole project or snapshot.</summary>
    public bool IsEmpty => Categories is not { Count: > 0 } && DatasetStatus is not { Count: > 0 } && DocumentIds is not { Count: > 0 };

    /// <summary>
    /// The selection with its categories resolved to the ids of <paramref name="categories"/> (an id, else a name
    /// compared as merges compare names); a category that is in neither is bad input.
    /// </summary>
    public ResolvedSelection Resolve(IReadOnlyCollection<Category> categories, string where)
    {
        foreach (var (name, list) in new (string, int?)[] { ("categories", Categories?.Count), ("datasetStatus", DatasetStatus?.Count), ("documentIds", DocumentIds?.Count) })
        {
            if (list > MaxEntries)
            {
                throw new InvalidRequestException($"'select.{name}' lists more than {MaxEntries} entries.");
            }
        }

        if ((Categories ?? []).Concat(DocumentIds ?? []).FirstOrDefault(e => string.IsNullOrWhiteSpace(e) || e.Length > MaxEntryLength) is { } bad)
        {
            throw new InvalidRequestException($"'select' holds an empty entry or one longer than {MaxEntryLength} characters ('{bad[..Math.Min(bad.Length, 40)]}…').");
        }

        List<string>? categoryIds = null;
        if (Categories is { Count: > 0 })
        {
            categoryIds = [];
            foreach (var wanted in Categories)
            {
                var match = categories.FirstOrDefault(c => c.Id == wanted)
                    ?? categories.FirstOrDefault(c => SchemaMergePlanner.NameKey(c.Name) == SchemaMergePlanner.NameKey(wanted ?? ""))
                    ?? throw new InvalidRequestException($"'select.categories': no category '{wanted}' in {where}.");
                categoryIds.Add(match.Id);
            }
        }

        return new ResolvedSelection(
            categoryIds?.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            DatasetStatus is { Count: > 0 } ? DatasetStatus.Distinct().Order().ToList() : null,
            DocumentIds is { Count: > 0 } ? DocumentIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() : null);
    }
}

/// <summary>A selection whose categories are ids: the rule every step that picks documents applies, and what records keep.</summary>
public sealed record ResolvedSelection(List<string>? CategoryIds, List<DatasetStatus>? DatasetStatus, List<string>? DocumentIds)
{
    public bool Includes(Document document) =>
        (CategoryIds is null || (document.CategoryId is { } category && CategoryIds.Contains(category, StringComparer.Ordinal)))
        && (DatasetStatus is null || DatasetStatus.Contains(document.DatasetStatus))
        && (DocumentIds is null || DocumentIds.Contains(document.Id, StringComparer.Ordinal));

    /// <summary>Null for "everything", so an unselective request stores and shows no selection.</summary>
    public static ResolvedSelection? Of(DocumentSelection? selection, IReadOnlyCollection<Category> categories, string where) =>
        selection is null || selection.IsEmpty ? null : selection.Resolve(categories, where);
}
