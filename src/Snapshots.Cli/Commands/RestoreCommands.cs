using System.CommandLine;
using System.Text.Json.Nodes;

namespace Snapshots.Cli.Commands;

/// <summary>restore a snapshot, cancel a restore, and show a restore's status.</summary>
public static class RestoreCommands
{
    public static Command Restore(CommandRunner run)
    {
        var snapshot = new Argument<string>("snapshotId");
        var into = new Option<string?>("--into") { Description = "Merge into this existing project instead of creating one" };
        var name = new Option<string?>("--name") { Description = "Name of the new project" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what the restore would do (created, matched, conflicts, left out) and write nothing" };
        var selection = new SelectionOptions();
        var command = new Command("restore", "Restore a snapshot and wait for it") { snapshot, into, name, dryRun };
        selection.AddTo(command);
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            if (parse.GetValue(dryRun))
            {
                var plan = await context.Api.PostJsonAsync($"api/snapshots/{Uri.EscapeDataString(parse.GetValue(snapshot)!)}/restores",
                    new { targetProjectId = parse.GetValue(into), projectName = parse.GetValue(name), dryRun = true, select = selection.Select(parse) }, cancellationToken);
                context.Console.Result(plan, () => Output.RestorePlanPrinter.Print(context.Console, plan));
                if (plan["refused"]?.GetValue<bool>() == true)
                {
                    throw new CliInputException($"the restore would be refused: {plan["refusals"]![0]}");
                }

                return;
            }

            var started = await context.Api.PostJsonAsync($"api/snapshots/{Uri.EscapeDataString(parse.GetValue(snapshot)!)}/restores",
                new { targetProjectId = parse.GetValue(into), projectName = parse.GetValue(name), select = selection.Select(parse) }, cancellationToken);
            var statusUri = started["statusUri"]!.GetValue<string>().TrimStart('/');
            var restore = await context.Console.WithProgressAsync("Restoring", bar =>
                context.Waiter.WaitAsync(statusUri, Output.CliConsole.ForOperation(bar), cancellationToken));
            context.Console.Result(restore.Body, () => context.Console.Line($"{restore.Body["statusText"]} Project {restore.Body["projectId"]} ({restore.Body["projectName"]})"));
        }));
        return command;
    }

    public static Command Cancel(CommandRunner run)
    {
        var restore = new Argument<string>("restoreId");
        var command = new Command("cancel", "Cancel a running restore: it stops at its next step and removes what it wrote") { restore };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var started = await context.Api.PostJsonAsync($"api/restores/{Uri.EscapeDataString(parse.GetValue(restore)!)}/cancel", new { }, cancellationToken);
            var statusUri = started["statusUri"]!.GetValue<string>().TrimStart('/');
            var ended = await context.Console.WithProgressAsync("Cancelling", bar =>
                context.Waiter.WaitAsync(statusUri, Output.CliConsole.ForOperation(bar), cancellationToken, expected: "cancelled"));
            context.Console.Result(ended.Body, () => context.Console.Line($"{ended.Body["statusText"]} Project {ended.Body["projectId"]} is as it was."));
        }));
        return command;
    }

    public static Command Revert(CommandRunner run)
    {
        var restore = new Argument<string>("restoreId");
        var command = new Command("revert", "Remove exactly what a restore added (refused, naming it, if any of that changed since)") { restore };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var reverted = await context.Api.PostJsonAsync($"api/restores/{Uri.EscapeDataString(parse.GetValue(restore)!)}/revert", new { }, cancellationToken);
            context.Console.Result(reverted, () => context.Console.Line(
                $"Reverted restore {reverted["id"]}: " + string.Join(", ", reverted["reverted"]!["removed"]!.AsObject().Select(p => $"{p.Value} {p.Key}")) + " removed" +
                (reverted["reverted"]!["projectDeleted"]!.GetValue<bool>() ? $"; project {reverted["projectId"]} deleted." : ".")));
        }));
        return command;
    }

    public static Command Status(CommandRunner run)
    {
        var restore = new Argument<string>("restoreId");
        var command = new Command("status", "Show a restore's status, progress and report") { restore };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var body = await context.Api.GetAsync($"api/restores/{Uri.EscapeDataString(parse.GetValue(restore)!)}", cancellationToken);
            context.Console.Result(body, () => context.Console.Table($"Restore {body["id"]}: {body["statusText"]}",
                body.Where(p => p.Key is not "statusText").Select(p => (p.Key, JsonText.Of(p.Value)))));
        }));
        return command;
    }
}
