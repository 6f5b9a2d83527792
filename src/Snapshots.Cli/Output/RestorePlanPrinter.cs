using System.Text.Json.Nodes;
using Spectre.Console;

namespace Snapshots.Cli.Output;

/// <summary>A restore's dry-run plan as people read it: one row per kind, then each conflict, what is left out, and refusals.</summary>
public static class RestorePlanPrinter
{
    public static void Print(CliConsole console, JsonObject plan)
    {
        var report = plan["report"] as JsonObject;
        var into = plan["merge"]?.GetValue<bool>() == true ? $"merge into project {plan["targetProjectId"]}" : "into a new project";
        var table = new Table().Title(Markup.Escape($"Dry run: restore of {plan["identifier"]}, {into}"))
            .AddColumn("kind").AddColumn(new TableColumn("created").RightAligned()).AddColumn(new TableColumn("matched").RightAligned())
            .AddColumn(new TableColumn("conflicts").RightAligned()).AddColumn(new TableColumn("left out").RightAligned());
        if (report is not null)
        {
            foreach (var (kind, name) in new[] { ("categories", "categories"), ("labelSets", "label sets"), ("labels", "labels") })
            {
                var row = report[kind]!.AsObject();
                table.AddRow(name, Text(row["created"]), Text(row["matched"]), (row["conflicts"]?.AsArray().Count ?? 0).ToString(), "");
            }

            var aisLeftOut = plan["leftOut"]!.AsArray().Count(l => l?["kind"]?.GetValue<string>() == "ai");
            table.AddRow("documents", Text(report["documents"]), "", "", "");
            table.AddRow("annotation sets", Text(report["annotationSets"]), "", "", "");
            table.AddRow("annotations", Text(report["annotations"]), "", "", "");
            table.AddRow("AIs", Text(report["ais"]), "", "", aisLeftOut.ToString());
            table.AddRow("files", Text(report["files"]), "", "", Text(plan["filesLeftOut"]));
            table.AddRow("bytes", Text(plan["bytes"]), "", "", Text(plan["bytesLeftOut"]));
            console.Output.Write(table);
            foreach (var conflict in new[] { "categories", "labelSets", "labels" }.SelectMany(k => report[k]!["conflicts"]!.AsArray().OfType<JsonObject>()))
            {
                var differences = conflict["differences"]?.AsArray().OfType<JsonObject>()
                    .Select(d => $"{d["property"]}: archive {Json(d["archive"])}, target {Json(d["target"])}") ?? [];
                console.Line($"conflict: {conflict["kind"]} '{conflict["name"]}': {conflict["reason"]}" + string.Concat(differences.Select(d => $"; {d}")));
            }
        }

        foreach (var left in plan["leftOut"]!.AsArray().OfType<JsonObject>())
        {
            console.Line($"left out: {left["kind"]} '{left["name"]}': {left["reason"]}");
        }

        foreach (var refusal in plan["refusals"]!.AsArray())
        {
            console.Line($"refused: {refusal}");
        }

        console.Line("Dry run: nothing was written.");
    }

    private static string Text(JsonNode? value) => value?.ToString() ?? "0";

    private static string Json(JsonNode? value) => value?.ToJsonString() ?? "(none)";
}
