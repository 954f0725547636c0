using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApesTogether.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddMarketData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_call_logs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    provider = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    function = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    symbol_count = table.Column<int>(type: "INTEGER", nullable: false),
                    key_index = table.Column<int>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    latency_ms = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_call_logs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "daily_prices",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ticker = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    open = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    close = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_prices", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "stock_info",
                columns: table => new
                {
                    ticker = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    sector = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    industry = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    market_capitalization = table.Column<decimal>(type: "TEXT", precision: 24, scale: 0, nullable: true),
                    source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_info", x => x.ticker);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_call_logs_at",
                table: "api_call_logs",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_daily_prices_date",
                table: "daily_prices",
                column: "date");

            migrationBuilder.CreateIndex(
                name: "ix_daily_prices_ticker_date",
                table: "daily_prices",
                columns: new[] { "ticker", "date" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_call_logs");

            migrationBuilder.DropTable(
                name: "daily_prices");

            migrationBuilder.DropTable(
                name: "stock_info");
        }
    }
}
