using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Snapshots.Archive;
using Snapshots.Backups;
using Snapshots.Functions.Backups;
using Snapshots.Functions.Restores;
using Snapshots.Tests.Support;
using Snapshots.Verification;
using Snapshots.Webhooks;

namespace Snapshots.Tests.EndToEnd;

/// <summary>Per project webhooks: every event delivered, signed with the secret shown once, retried, logged.</summary>
[Collection(RestorePlanningTestGroup.Name)]
public sealed class WebhookTests(ServiceFixture service)
{
    [Fact]
    public async Task Each_event_reaches_the_subscribed_webhook_signed_with_its_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "webhook events");
        var secret = await SubscribeAsync(projectId, receiver, WebhookEvents.All);
        var listed = await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/webhooks");
        Assert.False(listed.GetProperty("webhooks")[0].TryGetProperty("secret", out var shown) && shown.ValueKind == JsonValueKind.String);

        var snapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset", "ai");
        var snapshotId = snapshot.GetProperty("id").GetString()!;
        var identifier = snapshot.GetProperty("identifier").GetString()!;
        var restored = await service.Http.RestoreAsync(snapshotId, new { projectName = "restored for webhooks" });
        service.Faults.FailAlways(identifier, nameof(RestoreOrchestrations.RestoreSchema));
        var failedRestore = await service.Http.RestoreAsync(snapshotId, new { projectName = "failing for webhooks" });
        service.Faults.Clear(identifier);
        service.Faults.FailAlways(projectId, nameof(Functions.Snapshots.CreateSnapshotFunctions.ExportSnapshotSchema));
        var failedSnapshot = await service.Http.CreateSnapshotAsync(projectId, "dataset");
        service.Faults.Clear(projectId);
        await DamageAsync(identifier);
        Assert.Equal(HttpStatusCode.Accepted, (await service.Http.PostAsync($"/api/snapshots/{snapshotId}/verify", null)).StatusCode);

        var created = Assert.Single(await receiver.WaitForAsync(WebhookEvents.SnapshotCreated, snapshotId));
        var restoredEvent = Assert.Single(await receiver.WaitForAsync(WebhookEvents.RestoreRestored, restored.GetProperty("id").GetString()!));
        var restoreFailed = Assert.Single(await receiver.WaitForAsync(WebhookEvents.RestoreFailed, failedRestore.GetProperty("id").GetString()!));
        var snapshotFailed = Assert.Single(await receiver.WaitForAsync(WebhookEvents.SnapshotFailed, failedSnapshot.GetProperty("id").GetString()!));
        var verificationFailed = Assert.Single(await receiver.WaitForAsync(WebhookEvents.VerificationFailed, snapshotId));
        foreach (var delivery in new[] { created, restoredEvent, restoreFailed, snapshotFailed, verificationFailed })
        {
            Assert.True(delivery.SignedWith(secret), $"{delivery.Event}: the signature does not match the body");
            Assert.False(delivery.SignedWith(secret + "x"));
            Assert.Equal(delivery.DeliveryId, delivery.Json.GetProperty("deliveryId").GetString());
            Assert.Equal(delivery.Event, delivery.Json.GetProperty("event").GetString());
            Assert.True(delivery.Json.GetProperty("occurredAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10));
        }

        Assert.Equal("Snapshot created", created.Json.GetProperty("statusText").GetString());
        Assert.Equal(snapshot.Get("counts.documents").GetInt32(), created.Json.Get("counts.documents").GetInt32());
        Assert.Equal($"/api/snapshots/{snapshotId}/download", created.Json.Get("links.download").GetString());
        Assert.Equal(restored.GetProperty("projectId").GetString(), restoredEvent.Json.GetProperty("projectId").GetString());
        Assert.Contains("RestoreSchema", restoreFailed.Json.GetProperty("reason").GetString());
        Assert.Contains("labels.ndjson", verificationFailed.Json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_skipped_scheduled_backup_is_told_to_the_projects_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var projectId = (await (await service.Http.PostAsJsonAsync("/api/projects", new { name = "nothing to back up" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var secret = await SubscribeAsync(projectId, receiver, [WebhookEvents.BackupSkipped]);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.PutAsJsonAsync($"/api/projects/{projectId}/backup-policy", new { modes = new[] { "dataset" }, schedule = "0 2 * * *" })).StatusCode);
        var due = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(2);

        await service.TickSchedulerAsync(due.AddSeconds(30));

        var skipped = Assert.Single(await receiver.WaitForAsync(WebhookEvents.BackupSkipped, global::Snapshots.Create.SnapshotService.ScheduledId(projectId, due)));
        Assert.True(skipped.SignedWith(secret));
        Assert.Contains("Training or Test", skipped.Json.GetProperty("reason").GetString());
        Assert.Equal($"/api/projects/{projectId}/backup-policy", skipped.Json.Get("links.policy").GetString());
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_same_signed_delivery_on_the_third_attempt_and_the_log_shows_all_three()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        var projectId = await service.ImportAsync(ExportArchives.SmallFixture(), "webhook retries");
        var secret = await SubscribeAsync(projectId, receiver, [WebhookEvents.SnapshotCreated]);

        var snapshotId = (await service.Http.CreateSnapshotAsync(projectId, "dataset")).GetProperty("id").GetString()!;

        var attempts = await receiver.WaitForAsync(WebhookEvents.SnapshotCreated, snapshotId, count: 3);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.Equal([500, 500, 200], attempts.Select(a => a.AnsweredStatus));
        Assert.All(attempts, a => Assert.True(a.SignedWith(secret)));
        Assert.Single(attempts.Select(a => Convert.ToBase64String(a.Body)).Distinct());
        var webhookId = (await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/webhooks")).GetProperty("webhooks")[0].GetProperty("id").GetString();
        var log = await Eventually.ReturnsAsync(
            () => service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/webhooks/{webhookId}/deliveries"),
            page => page.GetProperty("items").GetArrayLength() == 3, TimeSpan.FromSeconds(30));
        var entries = log.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["delivered", "retrying", "retrying"], entries.Select(e => e.GetProperty("outcome").GetString()));
        Assert.Equal([3, 2, 1], entries.Select(e => e.GetProperty("attempt").GetInt32()));
        Assert.Equal([200, 500, 500], entries.Select(e => e.GetProperty("status").GetInt32()));
        Assert.Single(entries.Select(e => e.GetProperty("deliveryId").GetString()).Distinct());
    }

    [Theory]
    [InlineData("""{"webhooks":[{"url":"http://example.com/hook","events":["snapshot.created"]}]}""", "plain http")]
    [InlineData("""{"webhooks":[{"url":"https://10.1.2.3/hook","events":["snapshot.created"]}]}""", "not a public address")]
    [InlineData("""{"webhooks":[{"url":"https://user:pw@example.com/hook","events":["snapshot.created"]}]}""", "user name or password")]
    [InlineData("""{"webhooks":[{"url":"https://example.com/hook","events":["snapshot.deleted"]}]}""", "Unknown event 'snapshot.deleted'")]
    [InlineData("""{"webhooks":[{"url":"https://example.com/hook","events":[]}]}""", "at least one")]
    [InlineData("""{"webhooks":[{"id":"nope","url":"https://example.com/hook","events":["snapshot.created"]}]}""", "no webhook 'nope'")]
    public async Task Invalid_webhooks_are_refused_with_a_problem_and_nothing_is_stored(string body, string expected)
    {
        var projectId = (await (await service.Http.PostAsJsonAsync("/api/projects", new { name = "invalid webhooks" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var response = await service.Http.PutAsync($"/api/projects/{projectId}/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Empty((await service.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/webhooks")).GetProperty("webhooks").EnumerateArray());
    }

    /// <summary>Subscribes the receiver and returns the secret, which only this answer shows.</summary>
    private async Task<string> SubscribeAsync(string projectId, WebhookReceiver receiver, IReadOnlyList<string> events)
    {
        var response = await service.Http.PutAsJsonAsync($"/api/projects/{projectId}/webhooks", new { webhooks = new[] { new { url = receiver.Url, events } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("webhooks")[0].GetProperty("secret").GetString()!;
    }

    private async Task DamageAsync(string identifier)
    {
        var archive = service.Services.GetRequiredService<SnapshotBlobs>().Archive(identifier);
        var bytes = (await archive.DownloadContentAsync()).Value.Content.ToArray();
        await archive.UploadAsync(new MemoryStream(new ZipRewriter(bytes).Remove("labels.ndjson").ToBytes()), new Azure.Storage.Blobs.Models.BlobUploadOptions());
    }
}
