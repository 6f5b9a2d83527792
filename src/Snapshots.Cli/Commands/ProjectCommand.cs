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
            context.Console.Result(project, () => context.Console.Table($"Project {JsonText.Of(project["name"])}",
            [
                ("name", JsonText.Of(project["name"])),
                ("id", JsonText.Of(project["id"])),
                ("status", JsonText.Of(project["status"])),
                .. CountRows(project),
            ]));
        }));
        return command;
    }

    /// <summary>Every count the API returns (nested ones as <c>outer.inner</c>), so new kinds show up without a CLI change.</summary>
    public static IEnumerable<(string Name, string Value)> CountRows(JsonObject project) =>
        project["counts"] is JsonObject counts
            ? counts.SelectMany(pair => pair.Value is JsonObject nested
                ? nested.Select(inner => ($"{pair.Key}.{inner.Key}", JsonText.Of(inner.Value)))
                : [(pair.Key, JsonText.Of(pair.Value))])
            : [];
}
