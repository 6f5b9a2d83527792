using System.Diagnostics;
using System.Text.RegularExpressions;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Infrastructure;

/// <summary>
/// A clone stands alone: no tracked file reads or links outside the repository, and every relative link of the
/// Markdown pages resolves inside it. (.ci/run also runs the suite in a copy of the commit with no sibling folders.)
/// </summary>
public sealed partial class SelfContainedRepositoryTests
{
    private static readonly string[] TextExtensions = [".cs", ".md", ".json", ".sh", ".props", ".targets", ".csproj", ".bicep", ".js", ".html", ".py", ".yaml", ".yml"];

    [Fact]
    public void No_tracked_file_points_above_the_repository()
    {
        var offenders = TrackedFiles()
            .Where(f => TextExtensions.Contains(Path.GetExtension(f)) && !f.StartsWith("samples/", StringComparison.Ordinal) && !f.EndsWith(nameof(SelfContainedRepositoryTests) + ".cs", StringComparison.Ordinal))
            .Where(f => OutsideReference().IsMatch(File.ReadAllText(Path.Combine(RepositoryPaths.Root, f))))
            .ToList();

        Assert.True(offenders.Count == 0, "reads or links ../shared or a sibling folder: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Every_relative_link_of_the_markdown_pages_resolves_inside_the_repository()
    {
        var broken = new List<string>();
        foreach (var page in TrackedFiles().Where(f => f.EndsWith(".md", StringComparison.Ordinal) && !f.StartsWith("samples/", StringComparison.Ordinal)))
        {
            var folder = Path.GetDirectoryName(Path.Combine(RepositoryPaths.Root, page))!;
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Root, page))))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var resolved = Path.GetFullPath(Path.Combine(folder, target));
                if (!resolved.StartsWith(RepositoryPaths.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !(File.Exists(resolved) || Directory.Exists(resolved)))
                {
                    broken.Add($"{page}: {target}");
                }
            }
        }

        Assert.True(broken.Count == 0, "links that do not resolve inside the repository: " + string.Join(", ", broken));
    }

    [Fact]
    public void The_konfuzio_samples_are_in_the_repository_with_their_license()
    {
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.KonfuzioProject46, "LICENSE.md")));
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.KonfuzioProject46, "documents_meta.json5")));
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.KonfuzioProject46Current, "..", "LICENSE.md")));
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.KonfuzioProject46Current, "categories_and_label_data.json5")));
    }

    private static List<string> TrackedFiles()
    {
        using var git = Process.Start(new ProcessStartInfo("git", "ls-files")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var files = git.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0 && files.Count > 0, "git ls-files failed");
        return files.Where(f => File.Exists(Path.Combine(RepositoryPaths.Root, f))).ToList();
    }

    [GeneratedRegex(@"\.\./shared\b|\bshared/fixtures\b")]
    private static partial Regex OutsideReference();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
