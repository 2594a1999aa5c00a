package dev.keel.spring.boot.autoconfigure.internal;

import dev.keel.consumer.HandlerTransactions;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs each handler transaction of Keel's consumer runtime on the application's {@link
 * PlatformTransactionManager}: a new Spring transaction whose connection (bound to the data source
 * by the transaction manager) carries the dedupe row, so that the handler's repositories, {@code
 * JdbcTemplate} and outbox appends write in the same transaction.
 */
public final class SpringHandlerTransactions implements HandlerTransactions {
  private final TransactionTemplate template;

  /**
   * Handler transactions on a transaction manager.
   *
   * @param transactionManager the application's, managing Keel's data source
   */
  public SpringHandlerTransactions(PlatformTransactionManager transactionManager) {
    this.template = new TransactionTemplate(transactionManager);
    template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    template.setName("keel-handler");
  }

  @Override
  public <T> T inTransaction(DataSource dataSource, Work<T> work) throws Exception {
    try {
      return template.execute(
          status -> {
            if (!(TransactionSynchronizationManager.getResource(dataSource)
                instanceof ConnectionHolder)) {
              throw new IllegalTransactionStateException(
                  "Keel listeners: the transaction manager "
                      + status.getClass().getSimpleName()
                      + " holds no connection of Keel's DataSource; it must manage that DataSource"
                      + " (DataSourceTransactionManager, JpaTransactionManager on it)");
            }
            Connection c = DataSourceUtils.getConnection(dataSource);
            try {
              T result = work.apply(c);
              if (!work.commit(result)) {
                status.setRollbackOnly();
              }
              return result;
            } catch (RuntimeException | Error e) {
              throw e;
            } catch (Exception e) {
              throw new Checked(e); // rolls back, rethrown below as it was
            } finally {
              DataSourceUtils.releaseConnection(c, dataSource);
            }
          });
    } catch (Checked e) {
      throw (Exception) e.getCause();
    }
  }

  /** Carries a checked exception through the template, which rolls back on it. */
  private static final class Checked extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Checked(Exception cause) {
      super(cause);
    }
  }
}
