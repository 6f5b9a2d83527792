using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Snapshots.Access;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Browser;

/// <summary>The Snapshots page in headless Chromium against the real service, on the imported fixture.</summary>
[Collection(ServiceTestGroup.Name)]
public sealed class SnapshotsPageTests(ServiceFixture service) : IAsyncLifetime
{
    /// <summary>Set to a folder (the repository's docs/) to write the screenshots the README shows.</summary>
    private static readonly string? ScreenshotFolder = Environment.GetEnvironmentVariable("SNAPSHOTS_SCREENSHOTS");

    private static readonly LocatorAssertionsToContainTextOptions Slow = new() { Timeout = 90_000 };

    private IPlaywright? playwright;
    private IBrowser? browser;

    public async Task InitializeAsync()
    {
        // Every page step waits for the service, which shares two CI cores with the other test collections:
        // Playwright's 5 s default failed there on a merge's dry run. Steps that run an operation wait longer (Slow).
        Assertions.SetDefaultExpectTimeout(20_000);
        (playwright, browser) = await ChromiumBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
    }

    [Fact]
    public async Task A_user_adds_restores_merges_downloads_and_deletes_a_snapshot()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "Invoices (browser)");
        var mergeTarget = await service.ImportAsync(ExportArchives.SmallFixture(), "Merge target (browser)");
        var page = await OpenAsync(token: null); // the local runtime's development token, picked up by the page

        await page.GotoAsync($"{service.Address}api/ui#/");
        var projectRow = page.Locator($"#projects tr[data-project-id='{projectId}']");
        await Assertions.Expect(projectRow).ToContainTextAsync("Invoices (browser)");
        // The list shows from the index at once; each row's counts follow from the project's own GET.
        var documents = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}")).GetProperty("counts").GetProperty("documents").GetInt32();
        await Assertions.Expect(projectRow.Locator("td").Nth(1)).ToHaveTextAsync(documents.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 90_000 });
        await Assertions.Expect(projectRow.Locator("td").Nth(5)).ToHaveTextAsync("owner", new() { Timeout = 90_000 });
        await ScreenshotAsync(page, "projects");

        await page.GotoAsync($"{service.Address}api/ui#/projects/{projectId}");
        await page.Locator("#description").FillAsync("before retraining");
        await page.Locator("#add-snapshot").ClickAsync();
        var row = page.Locator("#snapshots tr[data-snapshot-id]").First;
        await Assertions.Expect(row.Locator("td.status")).ToContainTextAsync("Snapshot created", Slow);
        var snapshotId = await row.GetAttributeAsync("data-snapshot-id");
        await ScreenshotAsync(page, "snapshots");

        await row.Locator("button.restore").ClickAsync();
        var restore = page.Locator("#restores .restore").First;
        await Assertions.Expect(restore.Locator(".status")).ToContainTextAsync("Snapshot restored.", Slow);
        var link = restore.Locator("a.project-link");
        Assert.StartsWith("Restored Project from Snapshot", await link.TextContentAsync());
        await ScreenshotAsync(page, "restores");

        // The snapshot's view compares it with its project as it is now: nothing changed since.
        await page.Locator("#compare").ClickAsync();
        await Assertions.Expect(page.Locator("#compare-result")).ToContainTextAsync("Identical.", Slow);
        await Assertions.Expect(page.Locator("#compare-result tr[data-kind='documents'] td").Nth(1)).ToHaveTextAsync("0");

        // And verifies the stored archive: the page follows the verification until it has passed.
        await page.Locator("#verify-checksums").ClickAsync();
        await Assertions.Expect(page.Locator("#verification-status")).ToContainTextAsync("Checksums passed", Slow);

        await page.GotoAsync($"{service.Address}api/ui#/projects/{projectId}");
        row = page.Locator($"#snapshots tr[data-snapshot-id='{snapshotId}']");
        await row.Locator("select.merge-target").SelectOptionAsync(mergeTarget);
        var restoresBefore = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores?projectId={mergeTarget}")).GetProperty("items").GetArrayLength();
        await row.Locator("button.merge").ClickAsync();
        // The merge shows its dry run and waits for confirmation; until then nothing has started.
        var plan = page.Locator("#confirm-details .plan");
        // The dry run is real work (it reads the archive and the target): on a loaded machine it takes seconds.
        await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("Merge snapshot", Slow);
        await Assertions.Expect(page.Locator("#confirm-ok")).ToHaveTextAsync("Merge");
        var expected = await (await service.Http.PostAsJsonAsync($"/api/snapshots/{snapshotId}/restores", new { targetProjectId = mergeTarget, dryRun = true }))
            .Content.ReadFromJsonAsync<JsonElement>();
        await Assertions.Expect(plan.Locator("tr[data-kind='labels'] td").Nth(2)).ToHaveTextAsync(expected.Get("report.labels.matched").GetInt32().ToString());
        await Assertions.Expect(plan.Locator("tr[data-kind='documents'] td").Nth(1)).ToHaveTextAsync(expected.Get("report.documents").GetInt32().ToString());
        await Assertions.Expect(plan.Locator(".left-out")).ToContainTextAsync("a merge keeps the target project's own project files");
        await ScreenshotAsync(page, "merge-plan");
        Assert.Equal(restoresBefore, (await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores?projectId={mergeTarget}")).GetProperty("items").GetArrayLength());
        await page.Locator("#confirm-ok").ClickAsync();
        var merged = page.Locator("#restores .restore", new() { HasText = "Merged into" });
        await Assertions.Expect(merged.Locator(".status")).ToContainTextAsync("Snapshot restored.", Slow);
        await Assertions.Expect(merged.Locator(".report")).ToContainTextAsync("matched");
        await Assertions.Expect(merged.Locator("a.project-link")).ToHaveTextAsync("Merge target (browser)");

        // Revert the merge from the page: the target is back to what it held before.
        var mergeId = await merged.GetAttributeAsync("data-restore-id");
        await Eventually.ReturnsAsync(() => service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{mergeId}"), r => r.GetProperty("revertible").GetBoolean(), TimeSpan.FromMinutes(1));
        var targetBefore = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{mergeTarget}")).GetProperty("counts").GetProperty("documents").GetInt32();
        await page.ReloadAsync();
        merged = page.Locator($"#restores .restore[data-restore-id='{mergeId}']");
        await merged.Locator("button.revert").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("Revert the merge into Merge target (browser)");
        await page.Locator("#confirm-ok").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Restore reverted.");
        await Assertions.Expect(merged.Locator(".reverted")).ToContainTextAsync("Reverted");
        await Assertions.Expect(merged.Locator("button.revert")).ToHaveCountAsync(0);
        var targetAfter = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{mergeTarget}")).GetProperty("counts").GetProperty("documents").GetInt32();
        Assert.Equal(targetBefore - ReportedDocuments(await service.Http.GetFromJsonAsync<JsonElement>($"/api/restores/{mergeId}")), targetAfter);

        await page.GotoAsync($"{service.Address}api/ui#/projects/{projectId}");
        row = page.Locator($"#snapshots tr[data-snapshot-id='{snapshotId}']");
        var download = await page.RunAndWaitForDownloadAsync(() => row.Locator("button.download").ClickAsync());
        var zipPath = Path.Combine(service.DataDirectory, "browser-download.zip");
        await download.SaveAsAsync(zipPath);
        using (var zip = ZipFile.OpenRead(zipPath))
        {
            using var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open());
            Assert.Equal(projectId, manifest.RootElement.GetProperty("source").GetProperty("projectId").GetString());
        }

        var konfuzio = await page.RunAndWaitForDownloadAsync(() => row.Locator("button.download-konfuzio").ClickAsync());
        var konfuzioPath = Path.Combine(service.DataDirectory, "browser-download-konfuzio.zip");
        await konfuzio.SaveAsAsync(konfuzioPath);
        using (var zip = ZipFile.OpenRead(konfuzioPath))
        {
            Assert.NotNull(zip.GetEntry($"data_{projectId}/categories_and_label_data.json5"));
        }

        await row.Locator("button.delete").ClickAsync();
        await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("irrevocable");
        await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("Projects restored from it are unaffected");
        await page.Locator("#confirm-ok").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Snapshot deleted.");
        await Assertions.Expect(page.Locator($"#snapshots tr[data-snapshot-id='{snapshotId}']")).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/snapshots/{snapshotId}")).StatusCode);
    }

    [Fact]
    public async Task A_reader_sees_no_delete_or_add_controls_and_a_refusal_reads_as_a_message()
    {
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "Read only (browser)");
        var snapshotId = (await service.Http.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;
        var reader = service.Token(new DevelopmentTokenRequest("rita-reader")
        {
            ProjectRoles = new Dictionary<string, string> { [projectId] = ProjectRoles.Reader },
        });
        var page = await OpenAsync(reader);

        await page.GotoAsync($"{service.Address}api/ui#/projects/{projectId}");

        var row = page.Locator($"#snapshots tr[data-snapshot-id='{snapshotId}']");
        await Assertions.Expect(row.Locator("td.status")).ToContainTextAsync("Snapshot created");
        await Assertions.Expect(row.Locator("button.download")).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator("button.delete")).ToHaveCountAsync(0);
        await Assertions.Expect(row.Locator("button.restore")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#add-snapshot")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#audit")).ToHaveCountAsync(0);

        await page.EvaluateAsync("id => attempt(() => api('DELETE', '/snapshots/' + id))", snapshotId);

        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("You are not allowed to do this");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("delete snapshot");
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync($"/api/snapshots/{snapshotId}")).StatusCode);

        // The refusal is in the project's audit log (stored once it was answered), which its owners (here the local admin) see on the page.
        await Eventually.ReturnsAsync(() => service.Http.GetStringAsync($"/api/projects/{projectId}/audit"), log => log.Contains("rita-reader"), TimeSpan.FromSeconds(30));
        var owner = await OpenAsync(token: null);
        await owner.GotoAsync($"{service.Address}api/ui#/projects/{projectId}");
        var newest = owner.Locator("#audit tr[data-audit-id]").First;
        await Assertions.Expect(newest).ToContainTextAsync("rita-reader");
        await Assertions.Expect(newest.Locator("td.outcome")).ToContainTextAsync("refused");
        await Assertions.Expect(newest).ToContainTextAsync("DeleteSnapshot");
    }

    [Fact]
    public async Task Without_a_token_outside_the_local_runtime_the_page_asks_to_sign_in()
    {
        var page = await OpenAsync(token: null);
        await page.RouteAsync("**/local/development-token", route => route.FulfillAsync(new() { Status = 404 }));

        await page.GotoAsync($"{service.Address}api/ui");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
        await page.Locator("#token").FillAsync(service.AdminToken);
        await page.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Projects");
    }

    private static int ReportedDocuments(JsonElement restore) => restore.Get("report.documents").GetInt32();

    private async Task<IPage> OpenAsync(string? token)
    {
        var context = await browser!.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true, ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        if (token is not null)
        {
            await page.AddInitScriptAsync($"sessionStorage.setItem('snapshots.token', {JsonSerializer.Serialize(token)});");
        }

        return page;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        if (ScreenshotFolder is not null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"ui-{name}.png"), FullPage = true });
        }
    }
}
