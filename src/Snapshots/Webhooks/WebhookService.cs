using Microsoft.Extensions.Options;
using Snapshots.Errors;
using Snapshots.Projects;

namespace Snapshots.Webhooks;

/// <summary>One webhook as a caller sets it: an existing one by id, or a new one without.</summary>
public sealed record WebhookSetting(string? Id, string? Url, IReadOnlyList<string>? Events, bool? Enabled, bool RotateSecret = false);

/// <summary>A webhook as the API shows it; <see cref="Secret"/> only in the answer that created or rotated it.</summary>
public sealed record WebhookView(string Id, string Url, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset SecretSetAt, string DeliveriesUri)
{
    public string? Secret { get; init; }

    public static WebhookView From(string projectId, Webhook webhook, string? secret = null) =>
        new(webhook.Id, webhook.Url, webhook.Events, webhook.Enabled, webhook.CreatedAt, webhook.SecretSetAt,
            $"/api/projects/{projectId}/webhooks/{webhook.Id}/deliveries")
        { Secret = secret };
}

/// <summary>A project's webhooks: read them, replace the set (new ones get a secret, shown once), read a delivery log.</summary>
public sealed class WebhookService(ProjectStore store, IWebhookSecrets secrets, DeliveryLog log, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public async Task<IReadOnlyList<WebhookView>> GetAsync(string projectId, CancellationToken cancellationToken) =>
        ((await store.GetAsync<ProjectWebhooks>(projectId, ProjectWebhooks.ItemId, cancellationToken))?.Webhooks ?? [])
            .Select(w => WebhookView.From(projectId, w)).ToList();

    /// <summary>
    /// Replaces the project's webhooks with <paramref name="settings"/>. The new secrets are stored before the set
    /// that refers to them is written, and the secrets and logs of webhooks that left the set go after it, so a
    /// failure leaves at worst an unreferenced secret, never a webhook without one.
    /// </summary>
    public async Task<IReadOnlyList<WebhookView>> SetAsync(string projectId, IReadOnlyList<WebhookSetting>? settings, CancellationToken cancellationToken)
    {
        settings ??= [];
        if (settings.Count > WebhookOptions.MaxPerProject)
        {
            throw new InvalidRequestException($"A project has at most {WebhookOptions.MaxPerProject} webhooks.");
        }

        var current = await store.ReadWithETagAsync<ProjectWebhooks>(projectId, ProjectWebhooks.ItemId, cancellationToken);
        var existing = (current?.Entity.Webhooks ?? []).ToDictionary(w => w.Id, StringComparer.Ordinal);
        foreach (var setting in settings)
        {
            if (Problem(setting, existing) is { } problem)
            {
                throw new InvalidRequestException(problem);
            }
        }

        if (settings.Where(s => s.Id is not null).GroupBy(s => s.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidRequestException($"The webhook '{twice.Key}' is listed twice.");
        }

        var now = clock.GetUtcNow();
        var shown = new Dictionary<string, string>(StringComparer.Ordinal);
        var webhooks = new List<Webhook>();
        var replacedSecrets = new List<string>();
        foreach (var setting in settings)
        {
            var before = setting.Id is null ? null : existing[setting.Id];
            var id = before?.Id ?? Guid.NewGuid().ToString("N");
            var webhook = new Webhook
            {
                Id = id,
                Url = setting.Url!.Trim(),
                Events = setting.Events!.Distinct(StringComparer.Ordinal).ToList(),
                Enabled = setting.Enabled ?? true,
                SecretRef = before?.SecretRef ?? "",
                CreatedAt = before?.CreatedAt ?? now,
                SecretSetAt = before?.SecretSetAt ?? now,
            };
            if (before is null || setting.RotateSecret)
            {
                var secret = WebhookSignature.NewSecret();
                webhook = webhook with { SecretRef = await secrets.StoreAsync(projectId, $"{id}-{now.UtcTicks}", secret, cancellationToken), SecretSetAt = now };
                shown[id] = secret;
                if (before is not null)
                {
                    replacedSecrets.Add(before.SecretRef);
                }
            }

            webhooks.Add(webhook);
        }

        var updated = new ProjectWebhooks { Webhooks = webhooks, UpdatedAt = now };
        var written = current is { } read
            ? await store.TryReplaceAsync(projectId, updated, read.ETag, cancellationToken)
            : await store.TryCreateAsync(projectId, updated, cancellationToken);
        if (!written)
        {
            foreach (var id in shown.Keys)
            {
                await secrets.DeleteAsync(webhooks.Single(w => w.Id == id).SecretRef, cancellationToken);
            }

            throw new ConflictException("The project's webhooks changed while this change was made; read them again and retry.");
        }

        foreach (var removed in existing.Values.Where(w => webhooks.All(kept => kept.Id != w.Id)))
        {
            await secrets.DeleteAsync(removed.SecretRef, cancellationToken);
            await log.DeleteAllAsync(removed.Id, cancellationToken);
        }

        foreach (var reference in replacedSecrets)
        {
            await secrets.DeleteAsync(reference, cancellationToken);
        }

        return webhooks.Select(w => WebhookView.From(projectId, w, shown.GetValueOrDefault(w.Id))).ToList();
    }

    /// <summary>The webhook of this project with this id, or null (a webhook of another project is not found either).</summary>
    public async Task<Webhook?> FindAsync(string projectId, string webhookId, CancellationToken cancellationToken) =>
        (await store.GetAsync<ProjectWebhooks>(projectId, ProjectWebhooks.ItemId, cancellationToken))?.Webhooks.FirstOrDefault(w => w.Id == webhookId);

    private string? Problem(WebhookSetting setting, Dictionary<string, Webhook> existing)
    {
        if (setting.Id is not null && !existing.ContainsKey(setting.Id))
        {
            return $"The project has no webhook '{setting.Id}': leave 'id' out to add a webhook.";
        }

        if (WebhookTargets.Problem(setting.Url?.Trim(), options.Value.AllowLoopback) is { } urlProblem)
        {
            return urlProblem;
        }

        if (setting.Events is not { Count: > 0 })
        {
            return $"'events' lists at least one of {string.Join(", ", WebhookEvents.All)}.";
        }

        return setting.Events.FirstOrDefault(e => !WebhookEvents.All.Contains(e)) is { } unknown
            ? $"Unknown event '{unknown}': use {string.Join(", ", WebhookEvents.All)}."
            : null;
    }
}
