using Snapshots.Projects;
using Snapshots.Restore;

namespace Snapshots.Tests.Unit;

/// <summary>The merge rules (README, "Merging into a project"), one edge case each.</summary>
public sealed class SchemaMergePlannerTests
{
    private const string RestoreId = "r1";

    private static Category Category(string id, string name) => new() { Id = id, Name = name };

    private static Label Label(string id, string name, string? dataType = null) => new() { Id = id, Name = name, DataType = dataType };

    private static LabelSet Set(string id, string name, string[] labels, string[]? categories = null) =>
        new() { Id = id, Name = name, LabelIds = [.. labels], CategoryIds = [.. categories ?? []] };

    private static void AssertExtends(LabelSetExtension extension, string labelSetId, string[]? labels = null, string[]? categories = null)
    {
        Assert.Equal(labelSetId, extension.LabelSetId);
        Assert.Equal(labels ?? [], extension.LabelIds);
        Assert.Equal(categories ?? [], extension.CategoryIds);
    }

    [Fact]
    public void Into_an_empty_project_everything_is_created_under_ids_derived_from_the_restore()
    {
        var archive = new ProjectSchema([Category("c1", "Invoice")], [Set("s1", "Invoice", ["l1"], ["c1"])], [Label("l1", "Total")]);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, ProjectSchema.Empty);

        Assert.Equal((1, 0), (plan.Categories.Created, plan.Categories.Matched));
        var set = Assert.Single(plan.CreateLabelSets);
        Assert.Equal([DeterministicIds.For(RestoreId, EntityKinds.Label, "l1")], set.LabelIds);
        Assert.Equal([DeterministicIds.For(RestoreId, EntityKinds.Category, "c1")], set.CategoryIds);
        Assert.Empty(plan.ExtendLabelSets);
        Assert.All([plan.Categories, plan.LabelSets, plan.Labels], r => Assert.Empty(r.Conflicts));
    }

    [Fact]
    public void Names_that_differ_only_in_case_or_surrounding_spaces_match_and_are_reported_as_conflicts()
    {
        var archive = new ProjectSchema([Category("c1", "  invoice ")], [], []);
        var target = new ProjectSchema([Category("t1", "Invoice")], [], []);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        Assert.Equal("t1", plan.Map.Categories["c1"]);
        Assert.Empty(plan.CreateCategories);
        Assert.Equal(1, plan.Categories.Matched);
        var conflict = Assert.Single(plan.Categories.Conflicts);
        Assert.Contains("other properties", conflict.Reason);
        var difference = Assert.Single(conflict.Differences);
        Assert.Equal(("name", "  invoice ", "Invoice"), (difference.Property, difference.Archive?.GetString(), difference.Target?.GetString()));
    }

    [Fact]
    public void A_conflict_lists_every_differing_property_with_both_values_and_absent_as_null()
    {
        var archive = new ProjectSchema([], [], [new Label { Id = "l1", Name = "Total", Description = "archive's", Threshold = 0.5 }]);
        var target = new ProjectSchema([], [], [new Label { Id = "t1", Name = "Total", DataType = "Number", Threshold = 0.5 }]);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        var differences = Assert.Single(plan.Labels.Conflicts).Differences;
        Assert.Equal(["dataType", "description"], differences.Select(d => d.Property));
        Assert.Equal((null, "Number"), (differences[0].Archive?.GetString(), differences[0].Target?.GetString()));
        Assert.Equal(("archive's", null), (differences[1].Archive?.GetString(), differences[1].Target?.GetString()));
    }

    [Fact]
    public void An_exact_name_wins_over_a_case_variant_in_the_target()
    {
        var archive = new ProjectSchema([Category("c1", "Invoice")], [], []);
        var target = new ProjectSchema([Category("t1", "INVOICE"), Category("t2", "Invoice")], [], []);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        Assert.Equal("t2", plan.Map.Categories["c1"]);
        Assert.Empty(plan.Categories.Conflicts);
    }

    [Fact]
    public void A_label_matches_only_within_the_label_set_its_own_label_set_matched()
    {
        var archive = new ProjectSchema([], [Set("s1", "Header", ["l1"])], [Label("l1", "Date")]);
        var target = new ProjectSchema([], [Set("ts1", "Header", []), Set("ts2", "Footer", ["tl1"])], [Label("tl1", "Date")]);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        var created = Assert.Single(plan.CreateLabels);
        Assert.Equal(created.Id, plan.Map.Labels["l1"]);
        var extension = Assert.Single(plan.ExtendLabelSets);
        AssertExtends(extension, "ts1", labels: [created.Id]);
    }

    [Fact]
    public void A_label_in_two_label_sets_maps_to_one_target_label_and_joins_the_other_set_by_an_extension()
    {
        var archive = new ProjectSchema([], [Set("s1", "Header", ["l1"]), Set("s2", "Footer", ["l1"])], [Label("l1", "Date")]);
        var target = new ProjectSchema([], [Set("ts1", "Header", ["tl1"]), Set("ts2", "Footer", [])], [Label("tl1", "Date")]);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        Assert.Equal("tl1", plan.Map.Labels["l1"]);
        Assert.Empty(plan.CreateLabels);
        var extension = Assert.Single(plan.ExtendLabelSets);
        AssertExtends(extension, "ts2", labels: ["tl1"]);
        Assert.Empty(plan.Labels.Conflicts);
    }

    [Fact]
    public void A_label_whose_two_label_sets_match_different_same_named_labels_maps_to_the_first_and_is_a_conflict()
    {
        var archive = new ProjectSchema([], [Set("s1", "Header", ["l1"]), Set("s2", "Footer", ["l1"])], [Label("l1", "Date")]);
        var target = new ProjectSchema([], [Set("ts1", "Header", ["tl1"]), Set("ts2", "Footer", ["tl2"])], [Label("tl1", "Date"), Label("tl2", "Date")]);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        Assert.Equal("tl1", plan.Map.Labels["l1"]);
        Assert.Contains("different labels", Assert.Single(plan.Labels.Conflicts).Reason);
        AssertExtends(plan.ExtendLabelSets.Single(), "ts2", labels: ["tl1"]);
    }

    [Fact]
    public void A_label_in_no_label_set_matches_a_target_label_in_none_and_never_one_inside_a_set()
    {
        var archive = new ProjectSchema([], [], [Label("l1", "Loose"), Label("l2", "Bound")]);
        var target = new ProjectSchema([], [Set("ts1", "Header", ["tl2"])], [Label("tl1", "Loose"), Label("tl2", "Bound")]);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        Assert.Equal("tl1", plan.Map.Labels["l1"]);
        Assert.Equal(DeterministicIds.For(RestoreId, EntityKinds.Label, "l2"), plan.Map.Labels["l2"]);
        Assert.Equal((1, 1), (plan.Labels.Matched, plan.Labels.Created));
    }

    [Fact]
    public void A_new_category_whose_label_sets_partly_exist_links_the_new_ones_and_extends_the_existing_ones()
    {
        var archive = new ProjectSchema(
            [Category("c1", "Receipt")],
            [Set("s1", "Header", [], ["c1"]), Set("s2", "Items", [], ["c1"])],
            []);
        var target = new ProjectSchema([Category("t1", "Invoice")], [Set("ts1", "Header", [], ["t1"])], []);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        var newCategory = Assert.Single(plan.CreateCategories).Id;
        Assert.Equal([newCategory], Assert.Single(plan.CreateLabelSets).CategoryIds);
        var extension = Assert.Single(plan.ExtendLabelSets);
        AssertExtends(extension, "ts1", categories: [newCategory]);
        Assert.Equal((1, 1), (plan.LabelSets.Matched, plan.LabelSets.Created));
    }

    [Fact]
    public void Two_archive_entities_matching_one_target_entity_both_map_to_it_and_the_second_is_a_conflict()
    {
        var archive = new ProjectSchema([Category("c1", "Invoice"), Category("c2", "invoice")], [], []);
        var target = new ProjectSchema([Category("t1", "Invoice")], [], []);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        Assert.Equal(("t1", "t1"), (plan.Map.Categories["c1"], plan.Map.Categories["c2"]));
        Assert.Equal(2, plan.Categories.Matched);
        Assert.Contains("both now map to it", Assert.Single(plan.Categories.Conflicts).Reason);
    }

    [Fact]
    public void A_matched_label_with_other_properties_keeps_the_target_ones_and_is_a_conflict()
    {
        var archive = new ProjectSchema([], [Set("s1", "Header", ["l1"])], [Label("l1", "Date", "date")]);
        var target = new ProjectSchema([], [Set("ts1", "Header", ["tl1"])], [Label("tl1", "Date", "text")]);

        var plan = SchemaMergePlanner.Plan(RestoreId, archive, target);

        Assert.Equal("tl1", plan.Map.Labels["l1"]);
        Assert.Empty(plan.CreateLabels);
        Assert.Single(plan.Labels.Conflicts);
        Assert.Empty(plan.ExtendLabelSets);
    }

    [Fact]
    public void The_plan_is_the_same_every_time_it_is_made()
    {
        var archive = new ProjectSchema([Category("c1", "A")], [Set("s1", "S", ["l1"], ["c1"])], [Label("l1", "L")]);

        var first = SchemaMergePlanner.Plan(RestoreId, archive, ProjectSchema.Empty);
        var second = SchemaMergePlanner.Plan(RestoreId, archive, ProjectSchema.Empty);

        Assert.Equal(first.Map.Labels, second.Map.Labels);
        Assert.Equal(first.CreateLabelSets.Single().Id, second.CreateLabelSets.Single().Id);
    }
}
