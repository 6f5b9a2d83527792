using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Snapshots.Webhooks;

namespace Snapshots.Tests.Support;

/// <summary>One delivery as the receiver got it: the raw body and the headers that matter.</summary>
public sealed record ReceivedDelivery(byte[] Body, string? Signature, string? DeliveryId, string? Event, int Attempt, int AnsweredStatus)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public bool SignedWith(string secret) => WebhookSignature.Matches(secret, Body, Signature);
}

/// <summary>A webhook receiver on a free loopback port that records every request and fails the first N with 500.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int failuresLeft;

    private WebhookReceiver(WebApplication app, int failFirst)
    {
        this.app = app;
        failuresLeft = failFirst;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var status = Interlocked.Decrement(ref failuresLeft) >= 0 ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
            var headers = context.Request.Headers;
            Received.Enqueue(new ReceivedDelivery(body.ToArray(), headers[WebhookSignature.Header], headers[WebhookSignature.DeliveryHeader],
                headers[WebhookSignature.EventHeader], int.Parse(headers[WebhookSignature.AttemptHeader].ToString()), status));
            return Results.StatusCode(status);
        });
    }

    public ConcurrentQueue<ReceivedDelivery> Received { get; } = new();

    public string Url => $"{app.Urls.Single()}/hook";

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new WebhookReceiver(builder.Build(), failFirst);
        await receiver.app.StartAsync();
        return receiver;
    }

    /// <summary>The deliveries of <paramref name="event"/> about <paramref name="subjectId"/>, once there are at least <paramref name="count"/>.</summary>
    public Task<List<ReceivedDelivery>> WaitForAsync(string @event, string subjectId, int count = 1, TimeSpan? timeout = null) =>
        Eventually.ReturnsAsync(
            () => Task.FromResult(Received.Where(r => r.Event == @event && r.Json.GetProperty("subjectId").GetString() == subjectId).ToList()),
            found => found.Count >= count, timeout ?? TimeSpan.FromMinutes(1));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
