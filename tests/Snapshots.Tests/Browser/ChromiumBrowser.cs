using System.Diagnostics;
using Microsoft.Playwright;

namespace Snapshots.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright. Installs the browser with apt when it is missing (CI machines start
/// without it); Playwright's own browser download is not used.
/// </summary>
public static class ChromiumBrowser
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        await EnsureInstalledAsync();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Without the background-networking switches Chromium keeps trying to reach Google's hosts.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return (playwright, browser);
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallGate.WaitAsync();
        try
        {
            if (File.Exists(ExecutablePath))
            {
                return;
            }

            var install = Process.Start(new ProcessStartInfo("sh", "-c \"apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = install.StandardOutput.ReadToEndAsync();
            var error = install.StandardError.ReadToEndAsync();
            await install.WaitForExitAsync();
            if (install.ExitCode != 0 || !File.Exists(ExecutablePath))
            {
                throw new InvalidOperationException($"Installing chromium with apt-get failed ({install.ExitCode}): {await error}{await output}");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
