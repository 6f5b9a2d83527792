using Snapshots.Errors;
using Snapshots.Projects;
using Snapshots.Selection;

namespace Snapshots.Tests.Unit;

public sealed class DocumentSelectionTests
{
    private static readonly Category[] Categories = [new() { Id = "63", Name = "Lohnabrechnung" }, new() { Id = "735", Name = "Quittung" }];

    private static Document Doc(string id, string? category, DatasetStatus status) => new() { Id = id, Name = id, CategoryId = category, DatasetStatus = status };

    [Fact]
    public void A_document_is_selected_when_it_meets_every_given_criterion_and_any_entry_of_each()
    {
        var selection = new DocumentSelection(["quittung ", "63"], [DatasetStatus.Test, DatasetStatus.Training]).Resolve(Categories, "here");

        Assert.Equal(["63", "735"], selection.CategoryIds);
        Assert.True(selection.Includes(Doc("1", "735", DatasetStatus.Test)));
        Assert.True(selection.Includes(Doc("2", "63", DatasetStatus.Training)));
        Assert.False(selection.Includes(Doc("3", "735", DatasetStatus.Excluded)));
        Assert.False(selection.Includes(Doc("4", null, DatasetStatus.Test)));
        Assert.False(selection.Includes(Doc("5", "999", DatasetStatus.Test)));
    }

    [Fact]
    public void Document_ids_narrow_the_other_criteria()
    {
        var selection = new DocumentSelection(DatasetStatus: [DatasetStatus.Test], DocumentIds: ["1", "2"]).Resolve(Categories, "here");

        Assert.Null(selection.CategoryIds);
        Assert.True(selection.Includes(Doc("1", null, DatasetStatus.Test)));
        Assert.False(selection.Includes(Doc("2", null, DatasetStatus.Training)));
        Assert.False(selection.Includes(Doc("3", null, DatasetStatus.Test)));
    }

    [Fact]
    public void An_unknown_category_or_an_overlong_list_is_bad_input_and_an_empty_selection_selects_everything()
    {
        Assert.Contains("no category 'Invoice' in project 'p'",
            Assert.Throws<InvalidRequestException>(() => new DocumentSelection(["Invoice"]).Resolve(Categories, "project 'p'")).Message);
        Assert.Contains("more than 1000",
            Assert.Throws<InvalidRequestException>(() => new DocumentSelection(DocumentIds: [.. Enumerable.Range(0, 1001).Select(i => $"{i}")]).Resolve(Categories, "x")).Message);
        Assert.Null(ResolvedSelection.Of(new DocumentSelection([], [], []), Categories, "x"));
        Assert.Null(ResolvedSelection.Of(null, Categories, "x"));
    }
}
