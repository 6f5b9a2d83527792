using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Snapshots.Projects;

namespace Snapshots.Webhooks;

/// <summary>
/// Makes one attempt of a delivery: reads the webhook as it is now (a removed or disabled one ends the delivery),
/// signs the body with its secret, posts it, and writes the attempt to the delivery log. Never throws for what the
/// receiver does: a refusal, a timeout or no answer is a failed attempt that the orchestration may retry.
/// </summary>
public sealed class WebhookSender(
    ProjectStore store, IWebhookSecrets secrets, DeliveryLog log, IHttpClientFactory http, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "webhooks";

    public async Task<DeliveryResult> SendAsync(SendWebhookRequest request, CancellationToken cancellationToken)
    {
        var (delivery, attempt) = request;
        var started = Stopwatch.GetTimestamp();
        var result = await AttemptAsync(delivery, attempt, cancellationToken);
        await log.WriteAsync(new DeliveryAttempt
        {
            Id = DeliveryLog.EntryId(clock.GetUtcNow(), delivery.DeliveryId, attempt),
            DeliveryId = delivery.DeliveryId,
            WebhookId = delivery.WebhookId,
            Event = delivery.Event,
            Attempt = attempt,
            At = clock.GetUtcNow(),
            Outcome = result.Delivered ? "delivered" : result.Final ? "failed" : "retrying",
            Status = result.Status,
            Error = result.Error,
            DurationMilliseconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
        }, cancellationToken);
        return result;
    }

    private async Task<DeliveryResult> AttemptAsync(WebhookDelivery delivery, int attempt, CancellationToken cancellationToken)
    {
        var webhook = (await store.GetAsync<ProjectWebhooks>(delivery.ProjectId, ProjectWebhooks.ItemId, cancellationToken))?.Webhooks
            .FirstOrDefault(w => w.Id == delivery.WebhookId);
        if (webhook is not { Enabled: true })
        {
            return new DeliveryResult(false, true, Error: webhook is null ? "The webhook was removed." : "The webhook is disabled.");
        }

        if (WebhookTargets.Problem(webhook.Url, options.Value.AllowLoopback) is { } problem)
        {
            return new DeliveryResult(false, true, Error: problem);
        }

        var last = attempt >= delivery.MaxAttempts;
        if (await secrets.ReadAsync(webhook.SecretRef, cancellationToken) is not { } secret)
        {
            // A rotation replaces the secret and its reference in two writes: the next attempt reads the new pair.
            return new DeliveryResult(false, last, Error: "The webhook's signing secret could not be read (rotated meanwhile, or missing: set the webhook again).");
        }

        var body = Encoding.UTF8.GetBytes(delivery.Body);
        using var message = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        message.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, body));
        message.Headers.Add(WebhookSignature.DeliveryHeader, delivery.DeliveryId);
        message.Headers.Add(WebhookSignature.EventHeader, delivery.Event);
        message.Headers.Add(WebhookSignature.AttemptHeader, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add(WebhookSignature.TimestampHeader, clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new DeliveryResult(true, true, status)
                : new DeliveryResult(false, last, status, $"The receiver answered {status}.");
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(false, last, Error: ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, last, Error: $"The receiver did not answer within {options.Value.TimeoutSeconds} s.");
        }
    }

    /// <summary>
    /// The handler deliveries go through: no redirects (a redirect could lead anywhere), no proxy, and every
    /// connection made only to an address <see cref="WebhookTargets.IsAllowed"/> lets through, checked on the
    /// address actually connected to.
    /// </summary>
    public static SocketsHttpHandler Handler(bool allowLoopback) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(a => WebhookTargets.IsAllowed(a, allowLoopback)).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException($"'{host}' has no public address: a webhook cannot post into private networks.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
