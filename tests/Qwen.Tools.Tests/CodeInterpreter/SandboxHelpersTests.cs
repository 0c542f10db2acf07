namespace Qwen.Tools.Tests;

public sealed class SandboxHelpersTests(InterpreterFixture fixture) : IClassFixture<InterpreterFixture>
{
    private readonly Qwen.Tools.CodeInterpreter _interpreter = fixture.Interpreter;

    [Fact]
    public async Task ReadCsv_StockPrices_GivesRowObjectsWithNumbersAndPandasStyleColumnNames()
    {
        var session = SessionWithStockPrices();

        var result = await _interpreter.ExecuteAsync(session, "const rows = readCsv('stock_prices.csv');\nprint(rows.length, Object.keys(rows[0]).join(','));\n[rows[0].Date, rows[0].Close, typeof rows[0].Volume, rows[4]['Close.1']]");

        Assert.True(result.Succeeded, result.ToText());
        Assert.Equal("5 Unnamed: 0,Date,Open,High,Low,Close,Adj,Close.1,Volume\n", result.Output);
        Assert.Equal("[ '2020/1/3', 73.91, 'number', 17338000 ]", result.Value);
    }

    [Fact]
    public async Task ParseCsv_QuotedFieldsAndOptions_AreHonoured()
    {
        var session = TestInterpreters.NewSession();

        var result = await _interpreter.ExecuteAsync(session, """
            const text = 'name;note;n\r\n"Smith, J";"said ""hi""\nthen left";007\r\nLee;;\r\n';
            const rows = parseCsv(text, { delimiter: ';' });
            const raw = parseCsv(text, { delimiter: ';', header: false, numbers: false });
            print(JSON.stringify([rows, raw.length, raw[1][2]]))
            """);

        Assert.Equal("[[{\"name\":\"Smith, J\",\"note\":\"said \\\"hi\\\"\\nthen left\",\"n\":7},{\"name\":\"Lee\",\"note\":null,\"n\":null}],3,\"007\"]\n", result.Output);
    }

    [Fact]
    public async Task ParseCsv_UnclosedQuote_ThrowsAnErrorTheCodeCanCatch()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "try { parseCsv('a,b\\n\"open,1') } catch (e) { e.message }");

        Assert.Equal("'parseCsv: the CSV is malformed: a quoted field that starts on line 2 is never closed.'", result.Value);
    }

    [Fact]
    public async Task WriteAndReadFiles_RoundTripInsideTheWorkDirectory()
    {
        var session = TestInterpreters.NewSession();

        var result = await _interpreter.ExecuteAsync(session, """
            writeText('notes/a.txt', 'héllo');
            writeJson('data.json', { list: [1, 2], ok: true });
            [readText('notes/a.txt'), readJson('data.json').list[1], listFiles(), listFiles('notes')]
            """);

        Assert.Equal("[ 'héllo', 2, [ 'data.json', 'notes/' ], [ 'notes/a.txt' ] ]", result.Value);
        var folder = _interpreter.GetWorkDirectory(session);
        Assert.Equal("héllo", await File.ReadAllTextAsync(Path.Combine(folder, "notes", "a.txt")));
        Assert.Contains("\"ok\": true", await File.ReadAllTextAsync(Path.Combine(folder, "data.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadText_MissingFile_SaysWhichFilesExist()
    {
        var session = SessionWithStockPrices();

        var result = await _interpreter.ExecuteAsync(session, "readText('prices.csv')");

        Assert.Equal("Error", result.Error!.Name);
        Assert.Equal("readText: there is no file 'prices.csv' in the work directory (it has: stock_prices.csv).", result.Error.Message);
    }

    [Theory]
    [InlineData("readText('../secret.txt')")]
    [InlineData("readText('/etc/passwd')")]
    [InlineData("writeText('/tmp/escaped.txt', 'x')")]
    [InlineData("listFiles('..')")]
    [InlineData("readCsv('sub/../../x.csv')")]
    public async Task FileHelpers_PathOutsideTheWorkDirectory_AreRefused(string code)
    {
        var result = await _interpreter.ExecuteAsync(fixture.SharedSession, code);

        Assert.Equal(CodeErrorKind.Exception, result.Error!.Kind);
        Assert.Contains("outside the work directory", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileHelpers_LinkLeadingOutside_IsRefused()
    {
        var session = TestInterpreters.NewSession();
        var outside = TestInterpreters.TemporaryFolder("qwen-outside-");
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(_interpreter.GetWorkDirectory(session), "link.txt"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_interpreter.GetWorkDirectory(session), "dir"), outside);

        var file = await _interpreter.ExecuteAsync(session, "readText('link.txt')");
        var folder = await _interpreter.ExecuteAsync(session, "readText('dir/secret.txt')");

        Assert.Contains("a link that leads outside the work directory", file.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("a link that leads outside the work directory", folder.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteText_PastTheCallsWriteBudget_IsRefused()
    {
        await using var interpreter = TestInterpreters.Create(o => o.MaxFileBytes = 1024);

        var result = await interpreter.ExecuteAsync("a", "writeText('a.txt', 'x'.repeat(600)); writeText('b.txt', 'y'.repeat(600))");
        var nextCall = await interpreter.ExecuteAsync("a", "writeText('b.txt', 'y'.repeat(600)); listFiles()");

        Assert.Equal("writeText: writing 600 more bytes would pass the 1024 bytes one call may write.", result.Error?.Message);
        Assert.Equal("[ 'a.txt', 'b.txt' ]", nextCall.Value);
    }

    [Fact]
    public async Task Stats_DescriptiveStatistics_MatchKnownValues()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), """
            const v = [2, 4, 4, 4, 5, 5, 7, 9, null, '', NaN];
            print(JSON.stringify([stats.count(v), stats.sum(v), stats.mean(v), stats.median(v), stats.min(v), stats.max(v),
              stats.variance(v), stats.std([1, 2, 3, 4]), stats.quantile([1, 2, 3, 4], 0.25), stats.describe(['1', 2, 3]),
              stats.corr([1, 2, 3], [2, 4, 6]), stats.linreg([0, 1, 2], [1, 3, 5])]))
            """);

        Assert.Equal(
            "[8,40,5,4.5,2,9,4.571428571428571,1.2909944487358056,1.75,{\"count\":3,\"mean\":2,\"std\":1,\"min\":1,\"q1\":1.5,\"median\":2,\"q3\":2.5,\"max\":3},1,{\"slope\":2,\"intercept\":1,\"r2\":1}]\n",
            result.Output);
    }

    [Fact]
    public async Task Stats_NonNumericValue_NamesTheElement()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "stats.mean([1, 'two', 3])");

        Assert.Equal("TypeError", result.Error!.Name);
        Assert.Equal("stats.mean: values[1] is 'two', not a number.", result.Error.Message);
    }

    [Fact]
    public async Task ConsoleTable_RowObjects_PrintsATextTable()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "console.table([{ a: 1, b: 'x' }, { a: 22 }])");

        Assert.Equal("(index) | a  | b\n--------+----+--\n0       | 1  | x\n1       | 22 |  \n", result.Output);
    }

    private string SessionWithStockPrices()
    {
        var session = TestInterpreters.NewSession();
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "docs", "stock_prices.csv"), Path.Combine(_interpreter.GetWorkDirectory(session), "stock_prices.csv"));
        return session;
    }
}
