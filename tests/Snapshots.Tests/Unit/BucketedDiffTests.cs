using Snapshots.Compare;

namespace Snapshots.Tests.Unit;

public sealed class BucketedDiffTests
{
    private static async IAsyncEnumerable<Fingerprint> Items(IEnumerable<int> ids, Func<int, string> hash)
    {
        foreach (var id in ids)
        {
            await Task.Yield();
            yield return new Fingerprint($"id-{id}", $"name-{id:D5}", hash(id));
        }
    }

    [Fact]
    public async Task Counts_added_removed_and_changed_exactly_across_buckets_and_lists_the_first_names_after_the_cursor()
    {
        using var diff = new BucketedDiff();
        // First side 0..9999, second side 2000..11999 with every tenth of the shared ones changed.
        await diff.SpillFirstAsync(Items(Enumerable.Range(0, 10_000), _ => "h"), default);
        await diff.SpillSecondAsync(Items(Enumerable.Range(2_000, 10_000), id => id < 10_000 && id % 10 == 0 ? "changed" : "h"), default);

        var result = await diff.CompareAsync(new NamePage(3, "name-02000"), default);

        Assert.Equal((2_000, 2_000, 800), (result.Added, result.Removed, result.Changed));
        Assert.Equal(["name-10000", "name-10001", "name-10002"], result.AddedNames);
        Assert.Empty(result.RemovedNames);
        Assert.Equal(["name-02010", "name-02020", "name-02030"], result.ChangedNames);
    }

    [Fact]
    public async Task Equal_sides_compare_identical_and_the_spill_folder_goes_with_the_diff()
    {
        var parent = Path.Combine(Path.GetTempPath(), $"bucketed-diff-{Guid.NewGuid():N}");
        using (var diff = new BucketedDiff(parent))
        {
            await diff.SpillFirstAsync(Items(Enumerable.Range(0, 100), id => $"{id}"), default);
            await diff.SpillSecondAsync(Items(Enumerable.Range(0, 100).Reverse(), id => $"{id}"), default);
            // Spread over many buckets (each holds what it compares at once), not one.
            Assert.True(Directory.EnumerateFiles(Directory.GetDirectories(parent).Single()).Count() > BucketedDiff.Buckets);
            var result = await diff.CompareAsync(new NamePage(NamePage.DefaultNames, null), default);
            Assert.Equal((0, 0, 0), (result.Added, result.Removed, result.Changed));
        }

        Assert.Empty(Directory.GetDirectories(parent));
        Directory.Delete(parent);
    }
}
