using System.CommandLine;
using System.Text.Json.Nodes;

namespace Snapshots.Cli.Commands;

/// <summary>
/// <c>snapshots policy &lt;projectId&gt; [--cron ...] [--mode ...] [--keep-last N] ...</c>: shows a project's backup policy,
/// or sets it when a schedule is given; <c>--delete</c> removes it.
/// </summary>
public static class PolicyCommand
{
    public static Command Build(CommandRunner run)
    {
        var project = new Argument<string>("projectId");
        var cron = new Option<string?>("--cron") { Description = "Schedule in UTC, e.g. \"0 2 * * *\" (02:00 daily); setting it saves the policy" };
        var modes = new Option<string[]>("--mode") { Description = "dataset and/or ai (default: dataset)", AllowMultipleArgumentsPerToken = true };
        modes.AcceptOnlyFromAmong("dataset", "ai");
        var keepLast = new Option<int?>("--keep-last") { Description = "Keep the newest N scheduled snapshots" };
        var daily = new Option<int?>("--keep-daily") { Description = "Keep the newest of each of the last N days" };
        var weekly = new Option<int?>("--keep-weekly") { Description = "Keep the newest of each of the last N weeks" };
        var monthly = new Option<int?>("--keep-monthly") { Description = "Keep the newest of each of the last N months" };
        var disable = new Option<bool>("--disable") { Description = "Save the policy switched off" };
        var delete = new Option<bool>("--delete") { Description = "Remove the policy" };
        var command = new Command("policy", "Show or set a project's scheduled backups and retention")
        {
            project, cron, modes, keepLast, daily, weekly, monthly, disable, delete,
        };
        command.SetAction(run(async (parse, context, cancellationToken) =>
        {
            var path = $"api/projects/{Uri.EscapeDataString(parse.GetValue(project)!)}/backup-policy";
            if (parse.GetValue(delete))
            {
                await context.Api.DeleteAsync(path, cancellationToken);
                context.Console.Result(new JsonObject { ["deleted"] = true }, () => context.Console.Line("Backup policy removed."));
                return;
            }

            var policy = parse.GetValue(cron) is { Length: > 0 } schedule
                ? await context.Api.PutJsonAsync(path, new
                {
                    modes = parse.GetValue(modes) is { Length: > 0 } chosen ? chosen : ["dataset"],
                    schedule,
                    retention = new { keepLast = parse.GetValue(keepLast), daily = parse.GetValue(daily), weekly = parse.GetValue(weekly), monthly = parse.GetValue(monthly) },
                    enabled = !parse.GetValue(disable),
                }, cancellationToken)
                : await context.Api.GetAsync(path, cancellationToken);
            context.Console.Result(policy, () => context.Console.Table("Backup policy", policy.Select(p => (p.Key, JsonText.Of(p.Value)))));
        }));
        return command;
    }
}
