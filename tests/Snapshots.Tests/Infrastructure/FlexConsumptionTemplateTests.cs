using System.Text.Json;
using System.Text.Json.Nodes;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Infrastructure;

/// <summary>
/// What Flex Consumption and Durable Functions on it need, read from the compiled ARM template (what `azd up`
/// deploys; <see cref="CompiledTemplate"/>) and host.json: no site setting Flex rejects, the durable group always
/// ready, the API audience required, and a queue polling interval of at most 10 seconds.
/// </summary>
public sealed class FlexConsumptionTemplateTests
{
    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([RepositoryPaths.Root, .. path]));

    [Fact]
    public async Task The_site_config_sets_nothing_flex_consumption_rejects()
    {
        var template = await CompiledTemplate.GetAsync();
        var sites = CompiledTemplate.Resources(template, "Microsoft.Web/sites").ToList();
        Assert.NotEmpty(sites);
        Assert.DoesNotContain(CompiledTemplate.Objects(template), o => o.ContainsKey("ftpsState"));
    }

    [Fact]
    public async Task The_durable_group_has_an_instance_always_ready()
    {
        var site = Assert.Single(CompiledTemplate.Resources(await CompiledTemplate.GetAsync(), "Microsoft.Web/sites"));
        var alwaysReady = site["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["alwaysReady"]!.AsArray();
        Assert.Contains(alwaysReady, group => group!["name"]!.GetValue<string>() == "durable" && group["instanceCount"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task The_api_audience_is_required_so_azd_up_cannot_deploy_an_app_that_answers_401_to_everyone()
    {
        var audience = (await CompiledTemplate.GetAsync())["parameters"]!["authAudience"]!.AsObject();
        Assert.False(audience.ContainsKey("defaultValue"), "authAudience must have no default.");
        Assert.True(audience["minLength"]?.GetValue<int>() >= 1, "authAudience must refuse the empty string.");
        var parameters = JsonNode.Parse(Read("infra", "bicep", "main.parameters.json"))!;
        Assert.Equal("${AUTH_AUDIENCE}", parameters["parameters"]!["authAudience"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Durable_queues_are_polled_at_least_every_ten_seconds()
    {
        var host = JsonNode.Parse(Read("host.json"), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        var interval = TimeSpan.Parse(host["extensions"]!["durableTask"]!["storageProvider"]!["maxQueuePollingInterval"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(interval, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }
}
