using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApesTogether.Api.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddSnapshotsAndLeaderboard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "deactivated_at",
                table: "users",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "capital_deployed_after",
                table: "transactions",
                type: "TEXT",
                precision: 18,
                scale: 2,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "cash_proceeds_after",
                table: "transactions",
                type: "TEXT",
                precision: 18,
                scale: 2,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.CreateTable(
                name: "daily_snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    total_value = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false),
                    stock_value = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false),
                    cash_proceeds = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false),
                    capital_deployed = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_snapshots", x => x.id);
                    table.ForeignKey(
                        name: "fk_daily_snapshots_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "intraday_prices",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ticker = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    price = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_intraday_prices", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "intraday_snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    total_value = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false),
                    stock_value = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false),
                    cash_proceeds = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false),
                    capital_deployed = table.Column<decimal>(type: "TEXT", precision: 20, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_intraday_snapshots", x => x.id);
                    table.ForeignKey(
                        name: "fk_intraday_snapshots_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "job_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    job = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    tick = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "leaderboard_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    period = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    username = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    display_name = table.Column<string>(type: "TEXT", maxLength: 60, nullable: true),
                    is_agent = table.Column<bool>(type: "INTEGER", nullable: false),
                    return_pct = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false),
                    previous_return_pct = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    alpha_pct = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false),
                    max_drawdown_pct = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    volatility_pct = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    sharpe_ratio = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    avg_trades_per_week = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false),
                    large_cap_pct = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false),
                    sectors = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    subscriber_count = table.Column<int>(type: "INTEGER", nullable: false),
                    sparkline = table.Column<string>(type: "TEXT", nullable: false),
                    computed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_leaderboard_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "leaderboard_periods",
                columns: table => new
                {
                    period = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    as_of = table.Column<DateTime>(type: "TEXT", nullable: false),
                    window_start = table.Column<DateTime>(type: "TEXT", nullable: false),
                    benchmark_return_pct = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: false),
                    entries = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_leaderboard_periods", x => x.period);
                });

            migrationBuilder.CreateIndex(
                name: "ix_transactions_user_id_executed_at",
                table: "transactions",
                columns: new[] { "user_id", "executed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_daily_snapshots_date",
                table: "daily_snapshots",
                column: "date");

            migrationBuilder.CreateIndex(
                name: "ix_daily_snapshots_user_id_date",
                table: "daily_snapshots",
                columns: new[] { "user_id", "date" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_intraday_prices_ticker_at",
                table: "intraday_prices",
                columns: new[] { "ticker", "at" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_intraday_snapshots_at",
                table: "intraday_snapshots",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_intraday_snapshots_user_id_at",
                table: "intraday_snapshots",
                columns: new[] { "user_id", "at" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_job_runs_job_started_at",
                table: "job_runs",
                columns: new[] { "job", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_job_runs_job_tick",
                table: "job_runs",
                columns: new[] { "job", "tick" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_leaderboard_entries_period_return_pct",
                table: "leaderboard_entries",
                columns: new[] { "period", "return_pct" });

            migrationBuilder.CreateIndex(
                name: "ix_leaderboard_entries_period_user_id",
                table: "leaderboard_entries",
                columns: new[] { "period", "user_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "daily_snapshots");

            migrationBuilder.DropTable(
                name: "intraday_prices");

            migrationBuilder.DropTable(
                name: "intraday_snapshots");

            migrationBuilder.DropTable(
                name: "job_runs");

            migrationBuilder.DropTable(
                name: "leaderboard_entries");

            migrationBuilder.DropTable(
                name: "leaderboard_periods");

            migrationBuilder.DropIndex(
                name: "ix_transactions_user_id_executed_at",
                table: "transactions");

            migrationBuilder.DropColumn(
                name: "deactivated_at",
                table: "users");

            migrationBuilder.DropColumn(
                name: "capital_deployed_after",
                table: "transactions");

            migrationBuilder.DropColumn(
                name: "cash_proceeds_after",
                table: "transactions");
        }
    }
}
