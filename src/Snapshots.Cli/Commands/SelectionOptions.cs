using System.CommandLine;

namespace Snapshots.Cli.Commands;

/// <summary>--category, --dataset-status and --document: the documents a snapshot takes or a restore restores.</summary>
public sealed class SelectionOptions
{
    private readonly Option<string[]> categories = new("--category") { Description = "Only documents of this category (id or name; repeat for more)" };
    private readonly Option<string[]> statuses = new("--dataset-status") { Description = "Only documents with this dataset status (repeat for more)" };
    private readonly Option<string[]> documents = new("--document") { Description = "Only this document (id; repeat for more)" };

    public SelectionOptions() => statuses.AcceptOnlyFromAmong("none", "preparation", "training", "test", "excluded");

    public void AddTo(Command command)
    {
        command.Options.Add(categories);
        command.Options.Add(statuses);
        command.Options.Add(documents);
    }

    /// <summary>The request's <c>select</c>, or null when no option was given.</summary>
    public object? Select(ParseResult parse)
    {
        var (c, s, d) = (parse.GetValue(categories) ?? [], parse.GetValue(statuses) ?? [], parse.GetValue(documents) ?? []);
        return c.Length + s.Length + d.Length == 0
            ? null
            : new { categories = c.Length > 0 ? c : null, datasetStatus = s.Length > 0 ? s : null, documentIds = d.Length > 0 ? d : null };
    }
}
