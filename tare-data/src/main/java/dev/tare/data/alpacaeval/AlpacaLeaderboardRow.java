package dev.tare.data.alpacaeval;

/**
 * One model of an AlpacaEval leaderboard CSV ({@code weighted_alpaca_eval_gpt4_turbo_leaderboard.csv}): win rates and
 * standard errors in percent as AlpacaEval publishes them; {@code lcWinRate} / {@code lcStandardError} are NaN where the
 * CSV leaves them empty.
 */
public record AlpacaLeaderboardRow(String model, double winRate, double standardError, int nWins, int nWinsBase,
                                   int nDraws, int nTotal, double discreteWinRate, String mode, int avgLength,
                                   double lcWinRate, double lcStandardError) {}
