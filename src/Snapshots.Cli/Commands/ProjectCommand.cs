using System.CommandLine;
using System.Text.Json.Nodes;

namespace Snapshots.Cli.Commands;

/// <summary><c>snapshots project &lt;id&gt;</c>: a project's properties and exact counts.</summary>
public static class ProjectCommand
{
    public static Command Build(CommandRunner run)
    {
        var id = new Argument<string>("projectId");
        var command = new Command("project", "Show a project and its counts") { id };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var project = await context.Api.GetAsync($"api/projects/{Uri.EscapeDataString(parse.GetValue(id)!)}", cancellationToken);
            context.Console.Result(project, () =>
            {
                context.Console.Line($"{project["name"]} ({project["id"]}), {project["status"]}");
                PrintCounts(context, project);
            });
        }));
        return command;
    }

    /// <summary>Prints every count the API returns, so new kinds show up without a CLI change.</summary>
    public static void PrintCounts(CliContext context, JsonObject project)
    {
        if (project["counts"] is not JsonObject counts)
        {
            return;
        }

        var rows = counts.SelectMany(pair => pair.Value is JsonObject nested
            ? nested.Select(inner => ($"{pair.Key}.{inner.Key}", JsonText.Of(inner.Value)))
            : [(pair.Key, JsonText.Of(pair.Value))]);
        context.Console.Table("Counts", rows);
    }
}
