using System.CommandLine;

namespace Snapshots.Cli.Commands;

/// <summary><c>snapshots operation &lt;id&gt;</c>: the state of a long-running operation.</summary>
public static class OperationCommand
{
    public static Command Build(CommandRunner run)
    {
        var id = new Argument<string>("operationId");
        var command = new Command("operation", "Show a long-running operation (import, snapshot, restore)") { id };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var operation = await context.Api.GetAsync($"api/operations/{Uri.EscapeDataString(parse.GetValue(id)!)}", cancellationToken);
            context.Console.Result(operation, () => context.Console.Table($"Operation {operation["id"]}",
                operation.Select(pair => (pair.Key, JsonText.Of(pair.Value)))));
        }));
        return command;
    }
}
