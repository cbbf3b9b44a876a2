/**
 * Types for ml-isolation-forest 0.1.0 (it ships none). Kept only as the reference in
 * test/detect/isolation.test.ts: it draws from the global Math.random and fits every tree on all rows.
 */
declare module 'ml-isolation-forest' {
  /** Options of {@link IsolationForest}. */
  export interface IsolationForestOptions {
    /** Trees (default 100). */
    nEstimators?: number;
  }

  /** The package's isolation forest over row-major number[][] data. */
  export class IsolationForest {
    /** Creates an untrained forest. */
    constructor(options?: IsolationForestOptions);
    /** Trees in the forest. */
    nEstimators: number;
    /** Fits every tree on all rows (Math.random picks features and splits). */
    train(trainingSet: number[][]): void;
    /** Anomaly score per row in (0, 1], higher = more anomalous. */
    predict(data: number[][]): number[];
  }
}
