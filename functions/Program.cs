using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Snapshots.Functions;
using Snapshots.Functions.Http;
using Snapshots.Access;
using Snapshots.Configuration;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// Outermost first: the audit sees the final status, after an exception has become its problem answer.
builder.UseMiddleware<Snapshots.Functions.Audit.AuditMiddleware>();
builder.UseMiddleware<UnhandledErrorMiddleware>();
builder.Services.AddSnapshotFunctions(builder.Configuration);
// The worker's own spans (one per function invocation, joined to the host's trace) on top of the shared registration.
builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
// Development tokens belong to the local runtime; the deployed app never trusts them, whatever its settings say.
builder.Services.PostConfigure<AuthOptions>(auth => auth.DevelopmentSigningKey = null);
// Nor does it post webhooks to loopback or over plain http.
builder.Services.PostConfigure<Snapshots.Webhooks.WebhookOptions>(webhooks => webhooks.AllowLoopback = false);
builder.Services.Configure<WorkerOptions>(worker => worker.Serializer = new JsonObjectSerializer(SnapshotsJson.Options));
builder.Build().Run();

// Lets the local runtime and the tests reference this app without clashing with their own Program (CS0433).
internal partial class Program;
