using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Qwen.Server.Tests;

/// <summary>The system's headless Chromium driven through its chromedriver (Debian: <c>apt-get install chromium chromium-driver</c>; .ci/run installs them).</summary>
internal static class Browser
{
    /// <summary>Starts headless Chromium at a desktop size.</summary>
    /// <exception cref="InvalidOperationException">Chromium or chromedriver is not installed.</exception>
    public static ChromeDriver Start()
    {
        var driverPath = Environment.GetEnvironmentVariable("QWEN_CHROMEDRIVER") ?? Find("chromedriver")
            ?? throw new InvalidOperationException("chromedriver was not found on PATH (set QWEN_CHROMEDRIVER, or on Debian: apt-get install chromium chromium-driver).");
        var browserPath = Environment.GetEnvironmentVariable("QWEN_CHROMIUM") ?? Find("chromium") ?? Find("chromium-browser") ?? Find("google-chrome")
            ?? throw new InvalidOperationException("Chromium was not found on PATH (set QWEN_CHROMIUM, or on Debian: apt-get install chromium chromium-driver).");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = browserPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--disable-extensions", "--no-first-run");
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Manage().Timeouts().ImplicitWait = TimeSpan.Zero;
        return driver;
    }

    /// <summary>Waits up to <paramref name="seconds"/> for <paramref name="find"/> to return a value.</summary>
    public static T WaitFor<T>(this IWebDriver driver, Func<IWebDriver, T?> find, string what, double seconds = 20)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                if (find(driver) is { } found)
                {
                    return found;
                }
            }
            catch (WebDriverException)
            {
                // Stale or not yet there: try again.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for {what}. Page text: {driver.FindElement(By.TagName("body")).Text}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Saves a screenshot into the test output's screenshots folder and returns its path.</summary>
    public static string Screenshot(this ITakesScreenshot driver, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
